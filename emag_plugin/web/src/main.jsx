// Entry point: styles, the live feed, and the app into #app.
import { render } from "preact";
import "./app.css";
import { App } from "./app.jsx";
import { startLive } from "./ws.js";
import { startSyncFeed } from "./sync_feed.js";

startSyncFeed();
startLive();
render(<App />, document.getElementById("app"));
