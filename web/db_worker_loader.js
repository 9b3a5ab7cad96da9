// Starts the database worker (a classic worker, like web/worker_loader.js): SQLite compiled to
// wasm, one connection. Relative URLs resolve against this script, so dist/ works under any sub-path.
importScripts('./db_worker.js');
wasm_bindgen({ module_or_path: './db_worker_bg.wasm' });
