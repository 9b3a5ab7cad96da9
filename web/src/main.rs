//! The page binary: Trunk builds it into `campus_web.js` + `campus_web_bg.wasm`.

fn main() {
    campus_web::start();
}
