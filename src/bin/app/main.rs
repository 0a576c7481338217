//! The page binary (Trunk `data-type="main"`). All logic lives in [`sgdlab::web::app`].

fn main() {
    if let Err(e) = sgdlab::web::app::start() {
        web_sys::console::error_1(&e);
    }
}
