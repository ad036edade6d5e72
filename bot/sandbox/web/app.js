// The browser chat of the local demo: talks to /demo/* on the emulator, which stands in for
// Telegram. Plain JavaScript, no build step.
"use strict";

const $ = (id) => document.getElementById(id);
const state = { personas: [], chats: [], persona: null, chat: null, commands: {}, menus: {}, replyTo: null };

async function api(path, body) {
  const options = body === undefined ? {} : {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
  };
  const response = await fetch(path, options);
  if (!response.ok) throw new Error(`${path}: ${response.status}`);
  return response.json();
}

// Telegram HTML -> safe DOM: only Telegram's tags survive, links only to http(s)/tg.
const ALLOWED = { B: "b", STRONG: "b", I: "i", EM: "i", U: "u", INS: "u", S: "s", STRIKE: "s", DEL: "s",
  CODE: "code", PRE: "pre", A: "a", BLOCKQUOTE: "blockquote", SPAN: "span", "TG-SPOILER": "span", "TG-EMOJI": "span" };
function telegramHtml(source) {
  const doc = new DOMParser().parseFromString(`<div>${source}</div>`, "text/html");
  const out = document.createElement("div");
  const copy = (from, to) => {
    for (const node of from.childNodes) {
      if (node.nodeType === Node.TEXT_NODE) { to.appendChild(document.createTextNode(node.textContent)); continue; }
      if (node.nodeType !== Node.ELEMENT_NODE) continue;
      const tag = ALLOWED[node.tagName];
      if (!tag) { copy(node, to); continue; }
      const el = document.createElement(tag);
      if (tag === "a") {
        const href = node.getAttribute("href") || "";
        if (/^(https?:|tg:)/i.test(href)) { el.href = href; el.target = "_blank"; el.rel = "noopener"; }
      }
      if (node.tagName === "TG-SPOILER" || node.getAttribute("class") === "tg-spoiler") {
        el.className = "spoiler"; el.onclick = () => el.classList.toggle("shown");
      }
      copy(node, el);
      to.appendChild(el);
    }
  };
  copy(doc.body.firstChild, out);
  return out;
}

function option(value, label) {
  const o = document.createElement("option");
  o.value = value; o.textContent = label;
  return o;
}

async function loadState() {
  const data = await api("/demo/state");
  state.personas = data.personas; state.chats = data.chats; state.commands = data.commands; state.menus = data.menus || {};
  $("now").textContent = data.now;
  const persona = $("persona");
  persona.replaceChildren(...data.personas.map((p) => option(p.id, `${p.name} · ${p.role}`)));
  state.persona = state.persona ?? data.personas[0].id;
  persona.value = state.persona;
  fillChats();
}

function fillChats() {
  const mine = state.chats.filter((c) => c.id === Number(state.persona) || (c.members || []).includes(Number(state.persona)));
  const select = $("chat");
  select.replaceChildren(...mine.map((c) => option(c.id, c.id > 0 ? "💬 Private chat with the bot" : `👥 ${c.title}`)));
  if (!mine.some((c) => c.id === Number(state.chat))) state.chat = Number(state.persona);
  select.value = state.chat;
  const chat = state.chats.find((c) => c.id === Number(state.chat));
  $("chat-title").textContent = chat && chat.id < 0 ? chat.title : "Jing'an Bot";
  renderCommands();
  renderAppButton();
  loadMessages();
}

// The menu button beside the text field: Telegram shows the bot's Mini App there when the bot set
// one for this person (setChatMenuButton), in their private chat only.
function renderAppButton() {
  const menu = state.menus[state.persona] || {};
  const button = $("app-button");
  button.hidden = !(menu.type === "web_app" && Number(state.chat) > 0);
  button.textContent = menu.text || "";
}

// Mini Apps open beside the chat, as in Telegram Desktop and Web: the emulator signs the launch.
async function openApp(request) {
  let data;
  try {
    data = await api("/demo/webapp", { as: Number(state.persona), chat: Number(state.chat), ...request });
  } catch (error) {
    if (request.kind === "link") window.open(request.url, "_blank", "noopener");
    return;
  }
  $("miniapp-title").textContent = data.title || request.title || "Mini App";
  $("miniapp-back").hidden = true;
  $("miniapp-frame").src = data.url;
  $("miniapp").hidden = false;
}
function closeApp() {
  $("miniapp").hidden = true;
  $("miniapp-frame").src = "about:blank";
}
// What the Mini App asks of "Telegram" (the Mini Apps protocol over postMessage).
window.addEventListener("message", (event) => {
  if (event.source !== $("miniapp-frame").contentWindow) return;
  let message;
  try { message = JSON.parse(event.data); } catch (error) { return; }
  if (message.eventType === "web_app_setup_back_button") $("miniapp-back").hidden = !message.eventData.is_visible;
  if (message.eventType === "web_app_close") closeApp();
});

function renderCommands() {
  const persona = state.personas.find((p) => p.id === Number(state.persona));
  const commands = state.commands[persona?.language] || state.commands[""] || [];
  $("command-menu").replaceChildren(...commands.map((c) => {
    const b = document.createElement("button");
    b.innerHTML = "<b></b><span></span>";
    b.firstChild.textContent = `/${c.command}`; b.lastChild.textContent = c.description;
    b.onclick = () => { $("command-menu").hidden = true; send(`/${c.command}`); };
    return b;
  }));
}

function keyboard(rows, message) {
  const box = document.createElement("div");
  box.className = "keyboard";
  for (const row of rows) {
    const line = document.createElement("div");
    line.className = "row";
    for (const button of row) {
      let el;
      if (button.web_app) {
        el = document.createElement("button");
        el.onclick = () => openApp({ kind: "button", message_id: message.message_id, url: button.web_app.url, title: button.text });
      } else if (button.url && button.url.startsWith("https://t.me/")) {
        el = document.createElement("button");
        el.onclick = () => openApp({ kind: "link", url: button.url, title: button.text });
      } else if (button.url) {
        el = document.createElement("a"); el.href = button.url; el.target = "_blank"; el.rel = "noopener";
      } else {
        el = document.createElement("button");
        el.onclick = () => press(message.message_id, button.callback_data);
      }
      el.textContent = button.text;
      line.appendChild(el);
    }
    box.appendChild(line);
  }
  return box;
}

function bubble(item) {
  const el = document.createElement("div");
  el.className = item.from_bot ? "msg" : "msg me";
  el.dataset.messageId = item.message_id;
  if (!item.from_bot && Number(state.chat) < 0) {
    const author = document.createElement("div"); author.className = "author"; author.textContent = item.author;
    el.appendChild(author);
  }
  if (item.photo_url) { const img = document.createElement("img"); img.src = item.photo_url; img.alt = "photo"; el.appendChild(img); }
  if (item.document_url) {
    const doc = document.createElement("div"); doc.className = "document";
    const a = document.createElement("a"); a.href = item.document_url; a.download = item.filename || "file";
    a.textContent = `📄 ${item.filename || "file"}`; doc.appendChild(a); el.appendChild(doc);
  }
  if (item.location) {
    const a = document.createElement("a");
    a.href = `https://www.openstreetmap.org/?mlat=${item.location.latitude}&mlon=${item.location.longitude}#map=17/${item.location.latitude}/${item.location.longitude}`;
    a.target = "_blank"; a.textContent = `📍 ${item.location.title || ""} ${item.location.latitude.toFixed(5)}, ${item.location.longitude.toFixed(5)}`;
    el.appendChild(a);
  }
  if (item.html !== null && item.html !== undefined) {
    const body = item.from_bot && item.parse_mode === "HTML" ? telegramHtml(item.html) : document.createTextNode(item.html);
    el.appendChild(body);
  }
  if (item.inline_keyboard) el.appendChild(keyboard(item.inline_keyboard, item));
  const meta = document.createElement("div"); meta.className = "meta";
  meta.textContent = `${item.edited ? "edited · " : ""}${item.time}`;
  if (item.from_bot) {
    // As in Telegram: reply to a message (a card, a prompt, a message from the staff).
    const link = document.createElement("span"); link.className = "reply-link"; link.textContent = "↩️";
    link.title = "Reply"; link.dataset.testid = "reply";
    link.onclick = () => replyTo(item);
    meta.appendChild(link);
  }
  el.appendChild(meta);
  return el;
}

async function loadMessages() {
  const data = await api(`/demo/messages?chat=${state.chat}&as=${state.persona}`);
  const box = $("messages");
  const atBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 80;
  box.replaceChildren(...data.messages.map(bubble));
  const reply = $("reply-keyboard");
  if (data.reply_keyboard) {
    reply.hidden = false;
    reply.replaceChildren(...data.reply_keyboard.map((row) => {
      const line = document.createElement("div"); line.className = "row";
      for (const b of row) {
        const el = document.createElement("button"); el.textContent = b.text;
        el.onclick = () => (b.request_contact ? shareContact() : b.request_location ? shareLocation() : send(b.text));
        line.appendChild(el);
      }
      return line;
    }));
  } else { reply.hidden = true; }
  if (atBottom || data.messages.length < 30) box.scrollTop = box.scrollHeight;
}

function replyTo(item) {
  state.replyTo = item ? item.message_id : null;
  $("replying").hidden = !item;
  $("replying-text").textContent = item ? `↩️ ${(item.html || "").replace(/<[^>]*>/g, "").slice(0, 60)}` : "";
}
async function send(text) {
  if (!text.trim()) return;
  const reply_to = state.replyTo; replyTo(null);
  await api("/demo/send", { as: Number(state.persona), chat: Number(state.chat), text, reply_to });
}
async function press(messageId, data) {
  const answer = await api("/demo/press", { as: Number(state.persona), chat: Number(state.chat), message_id: messageId, data });
  if (answer.alert) toast(answer.alert);
}
function toast(text) {
  const el = document.createElement("div"); el.className = "alert"; el.dataset.testid = "alert"; el.textContent = text;
  $("messages").appendChild(el); $("messages").scrollTop = $("messages").scrollHeight;
  setTimeout(() => el.remove(), 4000);
}
async function shareContact() { $("attach-menu").hidden = true; await api("/demo/contact", { as: Number(state.persona) }); }
async function shareLocation() {
  $("attach-menu").hidden = true;
  await api("/demo/location", { as: Number(state.persona), chat: Number(state.chat), latitude: 31.2235, longitude: 121.4505 });
}
async function advance(seconds) {
  const data = await api("/demo/advance", { seconds });
  $("now").textContent = data.now;
}

$("composer").onsubmit = async (event) => {
  event.preventDefault();
  const text = $("text").value; $("text").value = "";
  await send(text);
};
$("replying-cancel").onclick = () => replyTo(null);
$("persona").onchange = () => { replyTo(null); state.persona = Number($("persona").value); state.chat = state.persona; closeApp(); fillChats(); };
$("app-button").onclick = () => openApp({ kind: "menu" });
$("miniapp-close").onclick = closeApp;
$("miniapp-back").onclick = () => {
  const frame = $("miniapp-frame").contentWindow;
  if (frame) frame.postMessage(JSON.stringify({ eventType: "back_button_pressed", eventData: {} }), "*");
};
$("chat").onchange = () => { replyTo(null); state.chat = Number($("chat").value); fillChats(); };
$("menu-button").onclick = () => { $("command-menu").hidden = !$("command-menu").hidden; $("attach-menu").hidden = true; };
$("attach-button").onclick = () => { $("attach-menu").hidden = !$("attach-menu").hidden; $("command-menu").hidden = true; };
$("share-contact").onclick = shareContact;
$("share-location").onclick = shareLocation;
$("advance-hour").onclick = () => advance(3600);
$("advance-day").onclick = () => advance(86400);
$("file-input").onchange = async (event) => {
  const file = event.target.files[0]; if (!file) return;
  $("attach-menu").hidden = true;
  const form = new FormData(); form.append("file", file); form.append("as", state.persona); form.append("chat", state.chat);
  await fetch("/demo/upload", { method: "POST", body: form });
  event.target.value = "";
};

// New messages appear without reloading: the server pushes a line per change.
function listen() {
  const events = new EventSource("/demo/stream");
  events.onmessage = (event) => {
    const change = JSON.parse(event.data);
    if (change.now) $("now").textContent = change.now;
    if (change.chat_id === null || change.chat_id === Number(state.chat)) loadMessages();
  };
  events.onerror = () => { events.close(); setTimeout(listen, 1000); };
}

loadState().then(listen);
