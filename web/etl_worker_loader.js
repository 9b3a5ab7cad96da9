// Starts the ETL workbench's worker (a classic worker, like worker_loader.js for the generator).
// Relative URLs resolve against this script, so dist/ works under any sub-path.
importScripts('./etl_worker.js');
wasm_bindgen({ module_or_path: './etl_worker_bg.wasm' });
