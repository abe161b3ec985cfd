// Live notifications: one websocket per signed-in page updates the unread badge and shows a short toast.
// Turbo swaps pages without reloading this module, so elements are looked up when a message arrives, and the
// socket follows the signed-in user of the current page (closed on sign-out, reopened for another user).

const RETRY_MIN_MS = 1000;
const RETRY_MAX_MS = 30000;
const TOAST_MS = 8000;
// Close code of a socket the server refused (no valid session): retrying would only be refused again.
const REFUSED = 4403;

let socket = null;
let socketUser = null;
let retryMs = RETRY_MIN_MS;
let retryTimer = null;

function badges() {
  return document.querySelectorAll("[data-mf-notification-badge]");
}

function showCount(count) {
  for (const badge of badges()) {
    const counter = badge.querySelector("[data-mf-notification-count]");
    counter.textContent = String(count);
    counter.hidden = count === 0;
  }
}

function showToast(message) {
  const region = document.querySelector("[data-mf-notification-toasts]");
  const badge = badges()[0];
  if (!region || !badge) {
    return;
  }
  const toast = document.createElement("div");
  toast.className = "mf-notification-toast";
  const label = document.createElement("strong");
  label.textContent = `${badge.dataset.toastLabel}: `;
  const link = document.createElement("a");
  link.href = message.url;
  link.textContent = message.title;
  const dismiss = document.createElement("button");
  dismiss.type = "button";
  dismiss.className = "mf-notification-toast__dismiss";
  dismiss.setAttribute("aria-label", badge.dataset.dismissLabel);
  dismiss.textContent = "×";
  dismiss.addEventListener("click", () => toast.remove());
  toast.append(label, link, dismiss);
  region.append(toast);
  window.setTimeout(() => toast.remove(), TOAST_MS);
}

function disconnect() {
  window.clearTimeout(retryTimer);
  if (socket) {
    const closing = socket;
    socket = null;
    closing.close();
  }
  socketUser = null;
}

function connect(badge) {
  const scheme = window.location.protocol === "https:" ? "wss" : "ws";
  const current = new WebSocket(`${scheme}://${window.location.host}${badge.dataset.socketPath}`);
  socket = current;
  socketUser = badge.dataset.user;
  current.addEventListener("open", () => {
    retryMs = RETRY_MIN_MS;
  });
  current.addEventListener("message", (event) => {
    const message = JSON.parse(event.data);
    showCount(message.unread);
    if (message.id !== undefined) {
      showToast(message);
    }
  });
  current.addEventListener("close", (event) => {
    if (socket !== current) {
      return; // closed on purpose by disconnect()
    }
    socket = null;
    if (event.code === REFUSED) {
      return;
    }
    retryTimer = window.setTimeout(follow, retryMs);
    retryMs = Math.min(retryMs * 2, RETRY_MAX_MS);
    socketUser = null;
  });
}

function follow() {
  const badge = badges()[0];
  const user = badge ? badge.dataset.user : null;
  if (socket && user === socketUser) {
    return;
  }
  disconnect();
  if (badge) {
    connect(badge);
  }
}

document.addEventListener("turbo:load", follow);
follow();
