// The live feed: one WebSocket to the host's /ws for emag.sync and
// emag.alerts, reopened with a growing delay whenever it closes so the
// dashboard keeps updating across host restarts.
import { observable } from "./observable.js";

export const liveState = observable("reconnecting"); // "live" | "reconnecting"

const listeners = new Map(); // topic -> Set(fn(event))
let socket = null;
let delay = 500;
let timer = null;
let started = false;

function url() {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${location.host}/ws?topics=emag.sync,emag.alerts`;
}

function dispatch(data) {
  let msg;
  try {
    msg = JSON.parse(data);
  } catch {
    return; // not ours
  }
  if (!msg || typeof msg !== "object") return;
  if (msg.type) {
    if (msg.type === "hello") liveState.set("live");
    return; // control messages carry no event
  }
  const set = listeners.get(msg.topic);
  if (set) for (const fn of [...set]) fn(msg.event, msg);
}

function schedule() {
  liveState.set("reconnecting");
  clearTimeout(timer);
  timer = setTimeout(connect, delay);
  delay = Math.min(delay * 2, 15000);
}

function connect() {
  try {
    socket = new WebSocket(url());
  } catch {
    schedule();
    return;
  }
  socket.onopen = () => {
    delay = 500;
    liveState.set("live");
  };
  socket.onmessage = (e) => dispatch(e.data);
  // onerror is always followed by onclose: reconnect from there only.
  socket.onerror = () => {};
  socket.onclose = () => {
    socket = null;
    schedule();
  };
}

export function startLive() {
  if (started || typeof WebSocket === "undefined") return;
  started = true;
  connect();
}

// Follows one topic; returns the unsubscribe function.
export function onTopic(topic, fn) {
  if (!listeners.has(topic)) listeners.set(topic, new Set());
  listeners.get(topic).add(fn);
  return () => listeners.get(topic)?.delete(fn);
}
