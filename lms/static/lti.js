// Deep linking: send the chosen items back to the platform at once (the button stays for
// browsers without scripts).
document.getElementById("lms-lti-return")?.submit();
