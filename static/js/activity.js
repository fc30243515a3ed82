// The activity record's form (progressive enhancement): show only the part of the chosen
// type (individual / collective) and the place's own fields. Without JavaScript, every part
// is shown under its heading and the server ignores the other type's fields.
(function () {
  "use strict";
  var form = document.querySelector("[data-activity-form]");
  if (!form) {
    return;
  }

  function checked(name) {
    var input = form.querySelector('input[name="' + name + '"]:checked');
    return input ? input.value : "";
  }

  function update() {
    var kind = checked("kind");
    var place = checked("place_type");
    form.querySelectorAll("[data-kind]").forEach(function (part) {
      part.hidden = Boolean(kind) && part.getAttribute("data-kind") !== kind;
    });
    form.querySelectorAll("[data-place]").forEach(function (part) {
      var places = part.getAttribute("data-place").split(" ");
      part.hidden = Boolean(place) && places.indexOf(place) === -1;
    });
  }

  form.addEventListener("change", function (event) {
    var name = event.target && event.target.name;
    if (name === "kind" || name === "place_type") {
      update();
    }
  });
  // Typing another duration unticks the pills; ticking a pill empties it.
  var other = form.querySelector('input[name="duration_other"]');
  if (other) {
    other.addEventListener("input", function () {
      var pill = form.querySelector('input[name="duration_minutes"][value="other"]');
      if (pill && other.value) {
        pill.checked = true;
      }
    });
  }
  update();
})();
