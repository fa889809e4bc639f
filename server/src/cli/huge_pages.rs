//! Huge pages for the threads that analyse a batch.
//!
//! A batch touches tens of megabytes of fresh memory, which the kernel maps one 4 KiB page at
//! a time: 17,400 page faults for the 1,556 files of the corpus, most of `check`'s system
//! time (a tenth of its CPU on a virtual machine). Memory backed by 2 MiB pages is faulted far
//! less often (BENCHMARKS.md: 4,400 faults, a fifth less system time, 3% less wall time, 6 MiB
//! more at the peak). Only `check`'s workers allocate from it: the language server would hold
//! twice its idle memory in huge pages, and a single large file, analysed on the main thread,
//! keeps to its bytes per input byte.

/// Makes the calling thread allocate from memory the kernel is asked to back with huge pages
/// (a jemalloc arena of its own, made on first use), until it ends. Does nothing where that
/// cannot be had: another allocator or system, or jemalloc refusing.
pub fn allocate_from_huge_pages() {
    #[cfg(all(feature = "jemalloc", target_os = "linux"))]
    arena::bind_current_thread();
}

#[cfg(all(feature = "jemalloc", target_os = "linux"))]
mod arena {
    use std::ffi::{CStr, c_uint, c_void};
    use std::ptr::null_mut;
    use std::sync::OnceLock;

    use tikv_jemalloc_sys::{extent_hooks_t, mallctl};

    /// jemalloc's own extent hooks, which map and unmap memory for the huge-page arena too.
    struct DefaultHooks(*mut extent_hooks_t);

    // SAFETY: jemalloc's default hooks are a static table of functions; they are only read.
    unsafe impl Send for DefaultHooks {}
    unsafe impl Sync for DefaultHooks {}

    static DEFAULT_HOOKS: OnceLock<DefaultHooks> = OnceLock::new();

    /// The arena's index, or `None` when jemalloc did not make it.
    static ARENA: OnceLock<Option<c_uint>> = OnceLock::new();

    pub fn bind_current_thread() {
        let Some(mut index) = *ARENA.get_or_init(create) else { return };
        // SAFETY: `thread.arena` takes an arena index by pointer, of the size given.
        // A refusal leaves the thread on its arena, which is only slower.
        unsafe { write(c"thread.arena", &mut index) };
    }

    /// An arena whose memory is mapped as jemalloc maps any, then advised to be huge pages.
    fn create() -> Option<c_uint> {
        let mut default: *mut extent_hooks_t = null_mut();
        // SAFETY: `arena.0.extent_hooks` reads as a pointer to the hooks of arena 0, which
        // are jemalloc's defaults: this program never sets others there.
        unsafe { read(c"arena.0.extent_hooks", &mut default)? };
        if default.is_null() {
            return None;
        }
        DEFAULT_HOOKS.set(DefaultHooks(default)).ok()?;
        // SAFETY: `default` points to a complete table of hooks, read above.
        let mut hooks: *mut extent_hooks_t =
            Box::leak(Box::new(extent_hooks_t { alloc: Some(alloc_huge), ..unsafe { *default } }));
        let mut index: c_uint = 0;
        // SAFETY: `arenas.create` reads a pointer to hooks that outlive the arena (leaked
        // above) and writes the new arena's index.
        unsafe { read_write(c"arenas.create", &mut index, &mut hooks)? };
        Some(index)
    }

    /// jemalloc's allocation hook, then `madvise(MADV_HUGEPAGE)` over what it mapped. The
    /// advice is only advice: refused, the memory stays in 4 KiB pages.
    unsafe extern "C" fn alloc_huge(
        _hooks: *mut extent_hooks_t,
        new_addr: *mut c_void,
        size: usize,
        alignment: usize,
        zero: *mut bool,
        commit: *mut bool,
        arena: c_uint,
    ) -> *mut c_void {
        let Some(DefaultHooks(default)) = DEFAULT_HOOKS.get() else { return null_mut() };
        // SAFETY: set before the arena that calls this hook was made, and never changed.
        let Some(alloc) = (unsafe { (**default).alloc }) else { return null_mut() };
        // SAFETY: the arguments are jemalloc's own, passed on unchanged.
        let memory = unsafe { alloc(*default, new_addr, size, alignment, zero, commit, arena) };
        if !memory.is_null() {
            // SAFETY: `memory` is a mapping of `size` bytes that jemalloc just made.
            unsafe { libc::madvise(memory, size, libc::MADV_HUGEPAGE) };
        }
        memory
    }

    /// Reads the value of `name`. Safety: `T` must be the type jemalloc gives `name`.
    unsafe fn read<T>(name: &CStr, value: &mut T) -> Option<()> {
        let mut size = size_of::<T>();
        let status = unsafe { mallctl(name.as_ptr(), (value as *mut T).cast(), &mut size, null_mut(), 0) };
        (status == 0).then_some(())
    }

    /// Sets `name` to `value`. Safety: `T` must be the type jemalloc gives `name`.
    unsafe fn write<T>(name: &CStr, value: &mut T) {
        unsafe { mallctl(name.as_ptr(), null_mut(), null_mut(), (value as *mut T).cast(), size_of::<T>()) };
    }

    /// Gives `name` its argument `given` and reads its result into `value`. Safety: `T` and
    /// `U` must be the types jemalloc gives `name`'s result and argument.
    unsafe fn read_write<T, U>(name: &CStr, value: &mut T, given: &mut U) -> Option<()> {
        let mut size = size_of::<T>();
        let status = unsafe {
            mallctl(name.as_ptr(), (value as *mut T).cast(), &mut size, (given as *mut U).cast(), size_of::<U>())
        };
        (status == 0).then_some(())
    }
}

#[cfg(all(test, feature = "jemalloc", target_os = "linux"))]
mod tests {
    use super::allocate_from_huge_pages;

    /// The flags of the mapping that holds `address`, as `/proc/self/smaps` lists them.
    fn mapping_flags(address: usize) -> String {
        let smaps = std::fs::read_to_string("/proc/self/smaps").expect("Linux lists a process's mappings");
        let mut inside = false;
        for line in smaps.lines() {
            if let Some((range, _)) = line.split_once(' ')
                && let Some((start, end)) = range.split_once('-')
                && let (Ok(start), Ok(end)) = (usize::from_str_radix(start, 16), usize::from_str_radix(end, 16))
            {
                inside = (start..end).contains(&address);
            } else if inside && let Some(flags) = line.strip_prefix("VmFlags:") {
                return flags.to_owned();
            }
        }
        panic!("no mapping holds {address:#x}");
    }

    /// Whether a thread's fresh 8 MiB block from jemalloc lies in memory advised to be huge
    /// pages (`hg`), after `prepare` ran on that thread.
    fn advised_huge(prepare: fn()) -> bool {
        std::thread::spawn(move || {
            prepare();
            // SAFETY: a block of jemalloc's, freed by jemalloc once its mapping was read.
            unsafe {
                let block = tikv_jemalloc_sys::malloc(8 << 20);
                assert!(!block.is_null());
                let flags = mapping_flags(block as usize);
                tikv_jemalloc_sys::free(block);
                flags.split_whitespace().any(|flag| flag == "hg")
            }
        })
        .join()
        .expect("the thread does not panic")
    }

    #[test]
    fn only_threads_that_ask_allocate_from_huge_pages() {
        // Without transparent huge pages in the kernel, there is nothing to ask for.
        if !std::path::Path::new("/sys/kernel/mm/transparent_hugepage").exists() {
            return;
        }
        assert!(advised_huge(allocate_from_huge_pages));
        assert!(!advised_huge(|| {}));
    }
}
