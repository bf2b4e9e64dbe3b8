// The figures page: the first and last day are asked only when "Chosen days" is the period.
"use strict";

(function () {
  const period = document.querySelector("form.filters select[name=period]");
  if (!period) {
    return;
  }
  const days = document.querySelectorAll("form.filters .days");
  function showDays() {
    days.forEach(function (field) {
      field.hidden = period.value !== period.dataset.chosenDays;
    });
  }
  period.addEventListener("change", showDays);
  showDays();
})();
