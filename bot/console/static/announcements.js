// The composer's audience counts, and a running announcement's progress, kept current.
"use strict";

(function () {
  const audience = document.getElementById("audience");
  if (audience) {
    const counts = document.getElementById("counts");
    audience.addEventListener("change", function () {
      const query = new URLSearchParams();
      new FormData(document.getElementById("composer")).forEach(function (value, name) {
        if (typeof value === "string" && name.indexOf("text_") !== 0 &&
            ["csrf_token", "when", "file_token", "remove_file"].indexOf(name) < 0) {
          query.append(name, value);
        }
      });
      fetch(audience.dataset.counts + "?" + query.toString(), { credentials: "same-origin" })
        .then(function (response) {
          return response.ok ? response.text() : Promise.reject(response.status);
        })
        .then(function (html) {
          counts.innerHTML = html;
        })
        .catch(function () {});
    });
  }

  const progress = document.getElementById("progress");
  if (progress && progress.dataset.running) {
    const timer = window.setInterval(function () {
      fetch(progress.dataset.fragment, { credentials: "same-origin" })
        .then(function (response) {
          return response.ok ? response.text() : Promise.reject(response.status);
        })
        .then(function (html) {
          progress.innerHTML = html;
          const current = progress.querySelector(".current");
          if (!current || !current.dataset.running) {
            window.clearInterval(timer);
          }
        })
        .catch(function () {});
    }, 2000);
  }
})();
