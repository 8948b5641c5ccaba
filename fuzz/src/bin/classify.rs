//! AFL++ entry point of the `classify` harness (see `errlens_fuzz::classify`).

fn main() {
    afl::fuzz!(|data: &[u8]| errlens_fuzz::classify::check(data));
}
