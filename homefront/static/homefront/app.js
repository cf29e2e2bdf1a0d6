// Small progressive enhancements; every page works without this file.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-copy]");
  if (!button) return;
  const source = document.getElementById(button.dataset.copy);
  if (!source) return;
  const done = () => {
    const label = button.textContent;
    button.textContent = "Copied";
    setTimeout(() => { button.textContent = label; }, 2000);
  };
  // The clipboard API exists only on https and localhost; a home server on
  // plain http falls back to selecting the text and the old copy command.
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(source.value || source.textContent).then(done);
  } else {
    source.focus();
    source.select();
    if (document.execCommand("copy")) done();
  }
});
