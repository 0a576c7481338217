//! The simulation Web Worker binary (Trunk `data-type="worker"`). All logic lives in
//! [`sgdlab::web::worker_runtime`].

fn main() {
    sgdlab::web::worker_runtime::start();
}
