//! Progress of a multi-host run on standard error: hosts done of total and
//! the failing findings so far. Drawn only when standard error is a
//! terminal and `--quiet` is not given; otherwise nothing is written.

use crate::model::{HostReport, HostStatus, Status};
use crate::waiver::Waiver;
use chrono::NaiveDate;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// Whether to draw progress: standard error is a terminal and not `--quiet`.
pub fn wanted(quiet: bool) -> bool {
    !quiet && std::io::stderr().is_terminal()
}

pub struct Progress<'a> {
    bar: Option<ProgressBar>,
    /// Failing findings these waivers cover are not counted.
    waivers: &'a [Waiver],
    today: NaiveDate,
    failing: AtomicUsize,
    not_audited: AtomicUsize,
}

impl<'a> Progress<'a> {
    /// A progress line for `total` hosts; drawn only when `enabled`.
    /// Failing findings that `waivers` cover as of `today` are not counted.
    pub fn new(total: usize, enabled: bool, waivers: &'a [Waiver], today: NaiveDate) -> Self {
        let bar = enabled.then(|| {
            let bar =
                ProgressBar::with_draw_target(Some(total as u64), ProgressDrawTarget::stderr());
            bar.set_style(
                ProgressStyle::with_template(
                    "{spinner} {elapsed:>4} [{bar:24}] {pos}/{len} hosts audited  {msg}",
                )
                .expect("a valid template")
                .progress_chars("=> "),
            );
            bar.set_message("0 failing findings");
            bar.enable_steady_tick(Duration::from_millis(250));
            bar
        });
        Progress {
            bar,
            waivers,
            today,
            failing: AtomicUsize::new(0),
            not_audited: AtomicUsize::new(0),
        }
    }

    /// Count one finished host.
    pub fn host_done(&self, host: &HostReport) {
        let fails = host
            .findings
            .iter()
            .filter(|f| f.status == Status::Fail)
            .filter(|f| {
                !self
                    .waivers
                    .iter()
                    .any(|w| w.covers(&host.name, &f.check, self.today))
            })
            .count();
        let failing = self.failing.fetch_add(fails, Ordering::SeqCst) + fails;
        let down = usize::from(host.status != HostStatus::Audited);
        let not_audited = self.not_audited.fetch_add(down, Ordering::SeqCst) + down;
        if let Some(bar) = &self.bar {
            let mut msg = format!("{failing} failing findings");
            if not_audited > 0 {
                msg.push_str(&format!(", {not_audited} hosts not audited"));
            }
            bar.set_message(msg);
            bar.inc(1);
        }
    }

    /// Remove the progress line before the report is written.
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
