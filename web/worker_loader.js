// Starts the generator worker (a classic worker, so it also runs where module workers do not).
// Relative URLs resolve against this script, so dist/ works under any sub-path.
importScripts('./worker.js');
wasm_bindgen({ module_or_path: './worker_bg.wasm' });
