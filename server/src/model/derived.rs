//! Facts derived from a model value, worked out the first time they are asked for and kept
//! with the value.

use std::fmt;
use std::sync::OnceLock;

/// A fact derived from the rest of the value that holds it. Several rules and the attack
/// paths' facts ask the same question of one step, and a callee's models, kept while it is
/// analysed as each of its callers calls it, are asked again for each way: the answer is
/// worked out once.
///
/// It is no part of the value: values that differ only in what was derived so far are equal,
/// and a copy works it out again (its copy may be changed before it is asked).
pub struct Derived<T>(OnceLock<T>);

impl<T> Derived<T> {
    /// The fact, worked out by `derive` unless it was before.
    pub fn get_or_derive(&self, derive: impl FnOnce() -> T) -> &T {
        self.0.get_or_init(derive)
    }
}

impl<T> Default for Derived<T> {
    fn default() -> Self {
        Self(OnceLock::new())
    }
}

impl<T> Clone for Derived<T> {
    fn clone(&self) -> Self {
        Self::default()
    }
}

impl<T> PartialEq for Derived<T> {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl<T> Eq for Derived<T> {}

impl<T> fmt::Debug for Derived<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Derived")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fact_is_derived_once_and_is_no_part_of_the_value() {
        let fact = Derived::default();
        let mut derivations = 0;
        for _ in 0..3 {
            assert_eq!(
                *fact.get_or_derive(|| {
                    derivations += 1;
                    42
                }),
                42
            );
        }
        assert_eq!(derivations, 1);
        let copy = fact.clone();
        assert_eq!(*copy.get_or_derive(|| 7), 7, "a copy derives again");
        assert_eq!(fact, Derived::default());
    }
}
