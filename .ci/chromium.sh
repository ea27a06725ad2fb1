#!/usr/bin/env bash
# Install Debian's Chromium (headless browser for tests/test_web_browser.py) and a CJK font
# (fonts-noto-cjk: the Chinese pages' glyphs, named in style.css) when missing; needs
# root. Measured: about 40 s (apt-get update + 25 packages, 414 MB). Playwright's own browser
# download is never used: the test launches /usr/bin/chromium.
set -euo pipefail
if [ ! -x /usr/bin/chromium ] || ! fc-list :lang=zh family 2>/dev/null | grep -q CJK; then
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    chromium fonts-noto-cjk >&2
fi
