/* kan_edu book: a hidden solution's title names its exercise as a link ("Solution to Exercise 5.1"). A reader
   who clicks the title wants the solution to open, not to jump back to the exercise; and sphinx-togglebutton's
   title handler, given a click on the link, finds no button and throws. So a click on that link is caught on
   its way down (capture phase): it does not navigate, and it presses the title's toggle button instead. */
document.addEventListener(
  "click",
  function (event) {
    var link = event.target.closest && event.target.closest(".dropdown > .admonition-title a");
    if (!link) {
      return;
    }
    var button = link.closest(".admonition-title").querySelector("button.toggle-button");
    if (!button) {
      return;
    }
    event.preventDefault();
    event.stopPropagation();
    button.click();
  },
  true
);
