import type { MailMessage } from "./mail/mailer.js";

// The user's name is their own input: it is escaped in HTML and never put in a header (the subject).
const escapeHtml = (value: string): string =>
  value.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] ?? c);

export function verificationMail(to: string, name: string, link: string): MailMessage {
  return {
    to,
    subject: "Confirm your e-mail address for Fixup",
    text: [
      `Hi ${name},`,
      "",
      "please confirm your e-mail address by opening this link (valid for 24 hours):",
      link,
      "",
      "If you did not create a Fixup account, ignore this message.",
    ].join("\n"),
    html: [
      `<p>Hi ${escapeHtml(name)},</p>`,
      `<p>please confirm your e-mail address by opening this link (valid for 24 hours):</p>`,
      `<p><a href="${escapeHtml(link)}">${escapeHtml(link)}</a></p>`,
      "<p>If you did not create a Fixup account, ignore this message.</p>",
    ].join("\n"),
  };
}

/**
 * There is no reset page in this backend, so the mail carries the token itself; a client app posts it with the
 * new password to `/auth/password-reset/confirm` (or the `resetPassword` mutation).
 */
export function passwordResetMail(to: string, name: string, token: string): MailMessage {
  return {
    to,
    subject: "Reset your Fixup password",
    text: [
      `Hi ${name},`,
      "",
      "someone (hopefully you) asked to reset the password of your Fixup account.",
      "Enter this reset code in the Fixup app together with your new password (valid for 1 hour, once):",
      "",
      token,
      "",
      "Resetting signs you out everywhere. If you did not ask for this, ignore this message: your password stays as it is.",
    ].join("\n"),
    html: [
      `<p>Hi ${escapeHtml(name)},</p>`,
      "<p>someone (hopefully you) asked to reset the password of your Fixup account.",
      "Enter this reset code in the Fixup app together with your new password (valid for 1 hour, once):</p>",
      `<p><code>${escapeHtml(token)}</code></p>`,
      "<p>Resetting signs you out everywhere. If you did not ask for this, ignore this message: your password stays as it is.</p>",
    ].join("\n"),
  };
}
