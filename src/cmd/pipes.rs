//! Wider pipes for shell use.
//!
//! A Linux pipe holds 64 KiB by default, so `cat big | decruft | cat`
//! moves 200 MB in about 3,200 hand-overs per pipe, each a pair of context
//! switches; on a 2-core machine that doubled the run time of the pipeline
//! (`benches/compare/compare.sh --pipe`). An unprivileged process may grow
//! a pipe to `/proc/sys/fs/pipe-max-size` (1 MiB by default): decruft asks
//! for that on standard input and output when they are pipes, and carries
//! on unchanged when the kernel says no.

/// The pipe size asked for.
#[cfg(target_os = "linux")]
const PIPE_SIZE: usize = 1 << 20;

/// Grows standard input and output to [`PIPE_SIZE`] when they are pipes.
pub fn widen_std_pipes() {
    #[cfg(target_os = "linux")]
    {
        use std::os::fd::AsFd;
        // Best effort: on anything but a pipe the kernel refuses (EBADF),
        // and a lower limit or an old kernel leaves the pipe as it is.
        let _ = rustix::pipe::fcntl_setpipe_size(std::io::stdin().as_fd(), PIPE_SIZE);
        let _ = rustix::pipe::fcntl_setpipe_size(std::io::stdout().as_fd(), PIPE_SIZE);
    }
}
