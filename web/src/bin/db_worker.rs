//! The database worker binary: Trunk builds it (with the `db` feature, the only wasm file that
//! links SQLite) into `db_worker.js` + `db_worker_bg.wasm`, started by `web/db_worker_loader.js`.

fn main() {
    campus_web::database::worker::run();
}
