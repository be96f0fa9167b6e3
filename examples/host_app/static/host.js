// The host's own script (it must keep running on LMS pages).
document.getElementById("host-script-status").textContent = "Scripts are on.";
document.documentElement.dataset.hostScript = "ran";
