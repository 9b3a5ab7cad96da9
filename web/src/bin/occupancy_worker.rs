//! The occupancy worker binary: Trunk builds it into `occupancy_worker.js` +
//! `occupancy_worker_bg.wasm`, started by `web/occupancy_worker_loader.js`. It serves
//! [`OccupancyService`] over the page's one worker protocol.

use campus_jobs::occupancy::OccupancyService;
use campus_web::shared::now_ms;
use campus_web::shared::worker::{Core, serve};

fn main() {
    serve(Core(OccupancyService::with_clock(Box::new(now_ms))));
}
