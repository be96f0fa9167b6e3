// LTI pages' small scripts (the CSP allows no inline script).
// Deep linking: send the chosen items back to the platform at once (the button stays for
// browsers without scripts).
document.getElementById("lms-lti-return")?.submit();
// Dynamic registration: tell the platform's window that registration is complete.
if (document.getElementById("lms-lti-registered")) {
  (window.opener || window.parent).postMessage({ subject: "org.imsglobal.lti.close" }, "*");
}
