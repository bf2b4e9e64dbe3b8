// The staff console's only script: Mini App sign-in and theme, form helpers. No build step.
"use strict";

(function () {
  const webApp = window.Telegram && window.Telegram.WebApp;
  const insideTelegram = Boolean(webApp && webApp.initData);

  if (insideTelegram) {
    webApp.ready();
    webApp.expand();
    document.documentElement.classList.add("telegram");
    // Telegram's own back button, on every page but the first.
    const home = document.querySelector("a.brand");
    if (webApp.BackButton && home) {
      if (window.location.pathname !== new URL(home.href).pathname) {
        webApp.BackButton.onClick(function () {
          if (window.history.length > 1) {
            window.history.back();
          } else {
            window.location.assign(home.href);
          }
        });
        webApp.BackButton.show();
      } else {
        webApp.BackButton.hide();
      }
    }
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

// A knowledge entry's form: the publishing gate's problems and each language's state as staff
// type, from the page's validate endpoint (nothing is saved). Text goes in as text, never HTML.
(function () {
  const form = document.querySelector("form[data-validate]");
  if (!form) {
    return;
  }
  const list = document.querySelector("[data-problems]");
  const none = document.querySelector("[data-no-problems]");
  let timer = null;
  let asked = 0;

  function show(result) {
    list.replaceChildren.apply(list, result.problems.map(function (problem) {
      const item = document.createElement("li");
      item.className = "problem " + (problem.error ? "error" : "warning");
      const text = document.createElement("bdi");
      text.textContent = problem.text;
      item.appendChild(text);
      return item;
    }));
    none.hidden = result.problems.length > 0;
    Object.keys(result.states).forEach(function (lang) {
      const badge = document.querySelector('[data-state-of="' + lang + '"]');
      if (badge) {
        badge.textContent = result.states[lang].label;
        badge.dataset.state = result.states[lang].state;
      }
    });
  }

  form.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      const mine = ++asked;
      window.consoleFetch(form.dataset.validate, { method: "POST", body: new FormData(form) })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (result) {
          if (result && mine === asked) {
            show(result);
          }
        });
    }, 300);
  });
})();
