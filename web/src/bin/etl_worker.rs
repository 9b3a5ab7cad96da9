//! The ETL worker binary: Trunk builds it into `etl_worker.js` + `etl_worker_bg.wasm`.

fn main() {
    campus_web::etl::worker::run();
}
