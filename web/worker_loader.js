// Starts the generator worker (a classic worker, so it also runs where module workers do not).
// Relative URLs resolve against this script, so dist/ works under any sub-path. A module that
// cannot load is rethrown as an uncaught error, which the page hears as the worker's `error`
// event (a rejected promise alone would go unnoticed).
importScripts('./worker.js');
wasm_bindgen({ module_or_path: './worker_bg.wasm' }).catch((err) => {
  setTimeout(() => {
    throw err;
  });
});
