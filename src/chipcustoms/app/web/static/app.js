// Keyboard navigation of the queue: j / ArrowDown and k / ArrowUp move between cases, Enter
// opens the current one. Plain links and buttons work with Tab as well; this only adds speed.
(function () {
  const rows = Array.from(document.querySelectorAll("table.queue tbody tr[data-case]"));
  if (!rows.length) return;
  let at = -1;
  rows.forEach((row) => row.setAttribute("tabindex", "-1"));
  function go(i) {
    if (at >= 0) rows[at].classList.remove("current");
    at = Math.max(0, Math.min(rows.length - 1, i));
    rows[at].classList.add("current");
    rows[at].focus();
  }
  document.addEventListener("keydown", (e) => {
    const t = e.target;
    if (t && (t.tagName === "INPUT" || t.tagName === "SELECT" || t.tagName === "TEXTAREA")) return;
    if (e.key === "j" || e.key === "ArrowDown") { go(at + 1); e.preventDefault(); }
    else if (e.key === "k" || e.key === "ArrowUp") { go(at - 1); e.preventDefault(); }
    else if (e.key === "Enter" && at >= 0 && document.activeElement === rows[at]) {
      rows[at].querySelector("a.open-line").click();
    }
  });
})();
