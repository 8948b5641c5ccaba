//! AFL++ entry point of the `pipeline` harness (see `errlens_fuzz::pipeline`).

fn main() {
    afl::fuzz!(|data: &[u8]| errlens_fuzz::pipeline::check(data));
}
