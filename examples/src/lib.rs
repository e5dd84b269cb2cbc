//! Runnable examples of the Mollie Rust SDK; see the `*.rs` files beside this crate's
//! `Cargo.toml` and run one with `cargo run -p mollie-examples --example NAME`.
