//! Copy progress to the status display: each [`CopyEvent`] of oras-copy
//! becomes the [`Event`] the Go CLI prints for it (`Started` →
//! `Uploading`/`Downloading`/`Copying`, `Done` → `Uploaded`/…, `Exists`,
//! `Skipped`, `Mounted`, and byte counts for the progress bars).

use std::sync::Arc;

use oras_copy::{CopyEvent, CopyGraphOptions};

use crate::output::status::{Event, StatusDisplay};

/// The status event of a copy event.
pub fn status_event<'a>(event: &CopyEvent<'a>) -> Event<'a> {
    match *event {
        CopyEvent::Started(desc) => Event::Started(desc),
        CopyEvent::Progress { desc, bytes } => Event::Progress(desc, bytes),
        CopyEvent::Done(desc) => Event::Done(desc),
        CopyEvent::Exists(desc) => Event::Exists(desc),
        CopyEvent::Skipped(desc) => Event::Skipped(desc),
        CopyEvent::Mounted(desc) => Event::Mounted(desc),
        CopyEvent::Retagged(desc) => Event::Retagged(desc),
    }
}

/// A progress callback showing every copy event on `display` (a failed
/// write to the terminal does not stop the copy).
pub fn copy_progress(
    display: Arc<dyn StatusDisplay>,
) -> impl Fn(&CopyEvent<'_>) + Send + Sync + 'static {
    move |event| {
        let _ = display.event(status_event(event));
    }
}

/// `graph` with its progress reported on `display`.
pub fn with_status(graph: CopyGraphOptions, display: Arc<dyn StatusDisplay>) -> CopyGraphOptions {
    graph.with_progress(copy_progress(display))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::Printer;
    use crate::output::status::{Mode, TextStatus};
    use oras_spec::{Descriptor, annotation};

    #[test]
    fn copy_events_become_status_lines() {
        let (printer, out, _) = Printer::captured();
        let display: Arc<dyn StatusDisplay> = Arc::new(TextStatus::new(Mode::Push, printer, true));
        let progress = copy_progress(display);
        let mut desc = Descriptor::from_bytes("application/vnd.oci.image.layer.v1.tar", b"hi");
        desc.annotations
            .insert(annotation::TITLE.into(), "hi.txt".into());
        progress(&CopyEvent::Started(&desc));
        progress(&CopyEvent::Progress {
            desc: &desc,
            bytes: 1,
        });
        progress(&CopyEvent::Done(&desc));
        progress(&CopyEvent::Exists(&desc));
        progress(&CopyEvent::Skipped(&desc));
        progress(&CopyEvent::Mounted(&desc));
        let short = &desc.digest.encoded()[..12];
        let prompts: Vec<String> = out
            .text()
            .lines()
            .map(|l| l.split(' ').next().unwrap_or_default().to_owned())
            .collect();
        assert_eq!(
            prompts,
            ["Uploading", "Uploaded", "Exists", "Skipped", "Mounted"]
        );
        assert!(out.text().contains(&format!("{short} hi.txt")));
    }
}
