// The requests board and a request's page, kept current by the server's events: a change
// made anywhere (a Telegram card, another console, a city's answer) shows without a reload.
"use strict";

(function () {
  function live(element, onChange) {
    if (!element || !window.EventSource) {
      return;
    }
    const source = new EventSource(element.dataset.stream);
    source.addEventListener("change", function (event) {
      onChange(JSON.parse(event.data));
    });
    source.addEventListener("reload", function () {
      onChange(null);
    });
    // Open (and open again after a break): what the page shows is fetched once more, so a
    // change made while it loaded, or while the stream was down, is not missed.
    source.addEventListener("open", function () {
      onChange(null);
      document.documentElement.classList.add("live");
    });
    window.addEventListener("pagehide", function () {
      source.close();
    });
  }

  // Fetch a fragment again; changes arriving while it loads are folded into one more fetch.
  function refresher(element, done) {
    let busy = false;
    let again = false;
    return function refresh() {
      if (busy) {
        again = true;
        return;
      }
      busy = true;
      fetch(element.dataset.fragment, { credentials: "same-origin" })
        .then(function (response) {
          return response.ok ? response.text() : Promise.reject(response.status);
        })
        .then(function (html) {
          element.innerHTML = html;
          if (done) {
            done();
          }
        })
        .catch(function () {})
        .finally(function () {
          busy = false;
          if (again) {
            again = false;
            refresh();
          }
        });
    };
  }

  const board = document.getElementById("board");
  if (board) {
    const refresh = refresher(board, function () {
      board.dataset.refreshed = String(Number(board.dataset.refreshed || 0) + 1);
    });
    live(board, refresh);
    const notice = document.getElementById("board-live");
    if (notice) {
      notice.hidden = false;
    }
  }

  const history = document.getElementById("history");
  if (history) {
    const requestId = Number(history.dataset.request);
    const shownVersion = Number(history.dataset.version);
    const refresh = refresher(history, function () {
      const current = history.querySelector(".current");
      if (current && Number(current.dataset.version) > shownVersion) {
        // The forms still carry the version staff decided on: a change sent now is refused
        // and says who changed the request. Say it before they try.
        document.getElementById("changed").hidden = false;
      }
    });
    live(history, function (change) {
      if (change === null || change.id === requestId) {
        refresh();
      }
    });
  }
})();
