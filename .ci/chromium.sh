#!/usr/bin/env bash
# Install Debian's Chromium (headless browser for tests/test_web_browser.py) when missing; needs
# root. Measured: about 40 s (apt-get update + 25 packages, 414 MB). Playwright's own browser
# download is never used: the test launches /usr/bin/chromium.
set -euo pipefail
if [ ! -x /usr/bin/chromium ]; then
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >&2
fi
