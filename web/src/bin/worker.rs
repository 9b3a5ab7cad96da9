//! The worker binary: Trunk builds it into `worker.js` + `worker_bg.wasm` with a loader shim.

fn main() {
    campus_web::generator::worker::register();
}
