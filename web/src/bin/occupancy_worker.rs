//! The occupancy worker binary: Trunk builds it into `occupancy_worker.js` +
//! `occupancy_worker_bg.wasm`, started by `web/occupancy_worker_loader.js`.

fn main() {
    campus_web::occupancy::worker::register();
}
