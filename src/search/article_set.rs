//! Sets of articles: which articles a query's boolean structure accepts.
//!
//! Each leaf gives the articles (numbered as in
//! [`crate::search::articles`]) with a passage, headline or tags that
//! matches it (see [`crate::search::evidence`]); AND, OR and NOT then
//! combine those sets, kept as a complement when that is what NOT
//! produced.

/// A set of articles (their numbers).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Bits(Vec<u64>);

impl Bits {
    /// The empty set.
    pub const fn new() -> Bits {
        Bits(Vec::new())
    }

    pub fn insert(&mut self, i: u64) {
        let word = (i / 64) as usize;
        if word >= self.0.len() {
            self.0.resize(word + 1, 0);
        }
        self.0[word] |= 1 << (i % 64);
    }

    pub(crate) fn contains(&self, i: u64) -> bool {
        self.0
            .get((i / 64) as usize)
            .is_some_and(|w| (w >> (i % 64)) & 1 == 1)
    }

    /// How many members.
    pub fn count(&self) -> u64 {
        self.0.iter().map(|w| u64::from(w.count_ones())).sum()
    }

    pub(crate) fn and(mut self, other: &Bits) -> Bits {
        self.0.truncate(other.0.len());
        self.0.iter_mut().zip(&other.0).for_each(|(a, b)| *a &= b);
        self
    }

    pub(crate) fn or(mut self, other: &Bits) -> Bits {
        if other.0.len() > self.0.len() {
            self.0.resize(other.0.len(), 0);
        }
        self.0.iter_mut().zip(&other.0).for_each(|(a, b)| *a |= b);
        self
    }

    fn and_not(mut self, other: &Bits) -> Bits {
        self.0.iter_mut().zip(&other.0).for_each(|(a, b)| *a &= !b);
        self
    }
}

/// A set of articles, kept as a complement when that is smaller to say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ArticleSet {
    Only(Bits),
    AllBut(Bits),
}

impl ArticleSet {
    pub fn contains(&self, article: u64) -> bool {
        match self {
            ArticleSet::Only(s) => s.contains(article),
            ArticleSet::AllBut(s) => !s.contains(article),
        }
    }

    pub fn and(self, other: ArticleSet) -> ArticleSet {
        use ArticleSet::*;
        match (self, other) {
            (Only(a), Only(b)) => Only(a.and(&b)),
            (Only(a), AllBut(b)) | (AllBut(b), Only(a)) => Only(a.and_not(&b)),
            (AllBut(a), AllBut(b)) => AllBut(a.or(&b)),
        }
    }

    pub fn or(self, other: ArticleSet) -> ArticleSet {
        use ArticleSet::*;
        match (self, other) {
            (Only(a), Only(b)) => Only(a.or(&b)),
            (Only(a), AllBut(b)) | (AllBut(b), Only(a)) => AllBut(b.and_not(&a)),
            (AllBut(a), AllBut(b)) => AllBut(a.and(&b)),
        }
    }

    pub fn complement(self) -> ArticleSet {
        match self {
            ArticleSet::Only(s) => ArticleSet::AllBut(s),
            ArticleSet::AllBut(s) => ArticleSet::Only(s),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bits(items: &[u64]) -> Bits {
        let mut b = Bits::default();
        items.iter().for_each(|&i| b.insert(i));
        b
    }

    fn members(set: &ArticleSet) -> Vec<u64> {
        (0..200).filter(|&i| set.contains(i)).collect()
    }

    #[test]
    fn article_set_algebra() {
        use ArticleSet::*;
        let a = || Only(bits(&[1, 2, 3, 130]));
        let b = || Only(bits(&[2, 3, 4]));
        assert_eq!(members(&a().and(b())), [2, 3]);
        assert_eq!(members(&a().or(b())), [1, 2, 3, 4, 130]);
        assert_eq!(members(&a().and(b().complement())), [1, 130]);
        let not_a_or_b = a().complement().or(b());
        assert!(not_a_or_b.contains(0) && not_a_or_b.contains(2) && !not_a_or_b.contains(1));
        let neither = a().complement().and(b().complement());
        assert!(neither.contains(0) && !neither.contains(4) && !neither.contains(130));
        assert_eq!(members(&a().complement().complement()), [1, 2, 3, 130]);
    }
}
