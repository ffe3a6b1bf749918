// A messenger's Mini App door: send this address's fragment (the data the messenger signed)
// to the server, which answers with the supervisor's own link, or refuses.
"use strict";
(function () {
  fetch(location.pathname, { method: "POST", body: location.hash.slice(1), cache: "no-store" })
    .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
    .then(function (answer) { location.replace(answer.url); })
    .catch(function () { document.body.textContent = "—"; });
})();
