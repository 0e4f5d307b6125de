//! Links the `newsdex` binary at a fixed address on Linux (`-no-pie`): a
//! position-independent executable has ~33,000 relocations that the loader
//! applies at every start, about 200 page faults; each search is its own
//! process, so that was a fixed cost of every command (see bench/README.md).
//! Shared libraries, the heap and the stack are still placed at random.
fn main() {
    let linux = std::env::var("CARGO_CFG_TARGET_OS").is_ok_and(|os| os == "linux");
    let gnu = std::env::var("CARGO_CFG_TARGET_ENV").is_ok_and(|env| env == "gnu");
    if linux && gnu {
        println!("cargo:rustc-link-arg-bins=-no-pie");
    }
    println!("cargo:rerun-if-changed=build.rs");
}
