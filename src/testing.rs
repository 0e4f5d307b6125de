//! Helpers for unit tests: an index in memory holding articles written
//! here.

use crate::index::store::Store;
use crate::index::writer::Batcher;
use crate::ingest::article;
use crate::ingest::files::FileMeta;

/// An index in memory with these articles (path, text), in this order,
/// committed every `commit_every` articles (so in several segments).
pub fn store_with<P: AsRef<str>, T: AsRef<str>>(articles: &[(P, T)], commit_every: usize) -> Store {
    let store = Store::in_memory();
    let mut batcher = Batcher::open(&store, false, true).expect("writer");
    for (n, (path, text)) in articles.iter().enumerate() {
        let (path, text) = (path.as_ref(), text.as_ref());
        let meta = FileMeta {
            size: text.len() as u64,
            mtime: n as u64,
        };
        batcher
            .add_article(&article::parse(path, text), meta)
            .expect("add");
        if (n + 1) % commit_every == 0 {
            batcher.commit().expect("commit");
        }
    }
    batcher.finish().expect("commit");
    store
}
