// Live notifications: one websocket per page load updates the unread badge and shows a short toast.
// Pages are swapped by Turbo without reloading this module, so elements are looked up when a message arrives.

const RETRY_MIN_MS = 1000;
const RETRY_MAX_MS = 30000;
const TOAST_MS = 8000;

let retryMs = RETRY_MIN_MS;

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

function connect() {
  const badge = badges()[0];
  if (!badge) {
    return;
  }
  const scheme = window.location.protocol === "https:" ? "wss" : "ws";
  const socket = new WebSocket(`${scheme}://${window.location.host}${badge.dataset.socketPath}`);
  socket.addEventListener("open", () => {
    retryMs = RETRY_MIN_MS;
  });
  socket.addEventListener("message", (event) => {
    const message = JSON.parse(event.data);
    showCount(message.unread);
    if (message.id !== undefined) {
      showToast(message);
    }
  });
  socket.addEventListener("close", (event) => {
    // 4403: the server refused the session (signed out); reconnecting would only be refused again.
    if (event.code !== 4403) {
      window.setTimeout(connect, retryMs);
      retryMs = Math.min(retryMs * 2, RETRY_MAX_MS);
    }
  });
}

connect();
