// Starts the occupancy worker (a classic worker, like web/worker_loader.js).
// Relative URLs resolve against this script, so dist/ works under any sub-path.
importScripts('./occupancy_worker.js');
wasm_bindgen({ module_or_path: './occupancy_worker_bg.wasm' });
