// The staff console's only script: Mini App sign-in and theme, form helpers. No build step.
"use strict";

(function () {
  const webApp = window.Telegram && window.Telegram.WebApp;
  const insideTelegram = Boolean(webApp && webApp.initData);

  if (insideTelegram) {
    webApp.ready();
    webApp.expand();
    document.documentElement.classList.add("telegram");
  }

  // Sign in with the initData Telegram gave this Mini App, then show the page asked for.
  const signIn = document.getElementById("sign-in");
  if (signIn && insideTelegram) {
    signIn.querySelector(".browser-only").hidden = true;
    signIn.querySelector(".webapp-only").hidden = false;
    fetch(signIn.dataset.endpoint, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ init_data: webApp.initData }),
    }).then(function (response) {
      if (response.ok) {
        window.location.reload();
      } else {
        signIn.querySelector(".webapp-only").hidden = true;
        signIn.querySelector(".webapp-refused").hidden = false;
      }
    });
  }

  // A one-time link's page signs in by itself; the button is there if scripts are off.
  const autoSubmit = document.querySelector("form[data-autosubmit]");
  if (autoSubmit) {
    autoSubmit.submit();
  }

  // fetch() calls of the pages carry the session's CSRF token.
  window.consoleFetch = function (url, options) {
    const settings = Object.assign({ credentials: "same-origin" }, options || {});
    settings.headers = Object.assign({ "X-CSRF-Token": document.body.dataset.csrf || "" },
      settings.headers || {});
    return fetch(url, settings);
  };
})();
