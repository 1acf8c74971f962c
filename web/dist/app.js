document.getElementById("app").textContent="Bank Service";
