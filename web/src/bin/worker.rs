//! The generator's worker binary: Trunk builds it into `worker.js` + `worker_bg.wasm`, started by
//! `web/worker_loader.js`.

fn main() {
    campus_web::generator::worker::run();
}
