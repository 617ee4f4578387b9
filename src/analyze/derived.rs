//! Values derived from one host's facts (a parsed ruleset, the listening
//! sockets) that several checks need: each is computed once per host
//! evaluation, however many checks ask for it.
//!
//! A value is stored under its type, so each derivation uses a type of its
//! own (a private struct or a newtype) and must depend on the facts alone,
//! not on a check's arguments or the profile's parameters.

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

type Values = HashMap<TypeId, Arc<dyn Any + Send + Sync>>;

/// The derived values of one host evaluation; start empty for each host.
#[derive(Default)]
pub struct Derived(Mutex<Values>);

impl Derived {
    /// The value of type `T`, made by `make` the first time it is asked for.
    pub fn get_or<T: Any + Send + Sync>(&self, make: impl FnOnce() -> T) -> Arc<T> {
        let id = TypeId::of::<T>();
        if let Some(v) = self.values().get(&id) {
            return Arc::clone(v).downcast().expect("stored under its own type");
        }
        // Made without holding the lock, so `make` may ask for other values.
        let made: Arc<dyn Any + Send + Sync> = Arc::new(make());
        let stored = Arc::clone(self.values().entry(id).or_insert(made));
        stored.downcast().expect("stored under its own type")
    }

    fn values(&self) -> MutexGuard<'_, Values> {
        // A panic elsewhere cannot leave the map half-written: insertion is
        // the only change, and it is a single call.
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl std::fmt::Debug for Derived {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Derived({} values)", self.values().len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    struct Parsed(Vec<u32>);
    struct Other(&'static str);

    #[test]
    fn each_value_is_made_once_and_kept_apart_by_type() {
        let d = Derived::default();
        let calls = Cell::new(0);
        let make = || {
            calls.set(calls.get() + 1);
            Parsed(vec![1, 2, 3])
        };
        let a = d.get_or(make);
        let b = d.get_or(|| -> Parsed { unreachable!("already made") });
        assert!(Arc::ptr_eq(&a, &b));
        assert_eq!(calls.get(), 1);
        assert_eq!(b.0, [1, 2, 3]);
        assert_eq!(d.get_or(|| Other("x")).0, "x");
        assert_eq!(d.get_or(|| Other("y")).0, "x", "the first value stays");
        assert_eq!(format!("{d:?}"), "Derived(2 values)");
    }

    #[test]
    fn a_value_may_be_made_from_another() {
        let d = Derived::default();
        let other = d.get_or(|| {
            Parsed(
                d.get_or(|| Other("inner"))
                    .0
                    .bytes()
                    .map(u32::from)
                    .collect(),
            )
        });
        assert_eq!(other.0.len(), 5);
        assert!(Derived::default().get_or(|| Other("fresh")).0 == "fresh");
    }
}
