//! Masking: the one masked form of each kind of personal data, the same for every consumer.
//! Works on grapheme clusters, so rare characters (CJK extensions, combining marks) are
//! never split.

use unicode_segmentation::UnicodeSegmentation;

/// How a field is masked when a grant says `MASK`.
#[derive(
    async_graphql::Enum,
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    serde::Serialize,
    serde::Deserialize,
)]
#[graphql(rename_items = "SCREAMING_SNAKE_CASE")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum MaskKind {
    /// Not maskable: a `MASK` grant on it is refused when the grant is loaded.
    None,
    /// `371502********123X`
    IdNumber,
    /// `张*明`, `王*`, `欧阳**`
    Name,
    /// `138****5678`
    Phone,
    /// Kept to county level: `山东省聊城市东昌府区****`
    Address,
    /// Every character but the first two and last two replaced: `37****0001`
    Generic,
}

const COMPOUND_SURNAMES: &[&str] = &[
    "欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文", "司徒",
    "夏侯", "轩辕", "令狐", "端木", "独孤", "南宫", "西门", "呼延",
];

pub fn mask(kind: MaskKind, s: &str) -> String {
    let g: Vec<&str> = s.graphemes(true).collect();
    match kind {
        MaskKind::None => s.to_string(),
        MaskKind::IdNumber => keep(&g, 6, 4),
        MaskKind::Name => mask_name(&g),
        MaskKind::Phone => keep(&g, 3, 4),
        MaskKind::Address => mask_address(&g),
        MaskKind::Generic => keep(&g, 2, 2),
    }
}

/// Keeps `head` and `tail` graphemes, stars the rest (all stars when too short).
fn keep(g: &[&str], head: usize, tail: usize) -> String {
    if g.len() <= head + tail {
        return "*".repeat(g.len().max(1));
    }
    let mut out: String = g[..head].concat();
    out.push_str(&"*".repeat(g.len() - head - tail));
    out.push_str(&g[g.len() - tail..].concat());
    out
}

fn mask_name(g: &[&str]) -> String {
    match g.len() {
        0 => String::new(),
        1 => "*".into(),
        2 => format!("{}*", g[0]),
        n => {
            let two = g[..2].concat();
            if COMPOUND_SURNAMES.contains(&two.as_str()) {
                format!("{two}{}", "*".repeat(n - 2))
            } else {
                format!("{}{}{}", g[0], "*".repeat(n - 2), g[n - 1])
            }
        }
    }
}

/// Keeps the address up to its county-level unit (区/县/旗, or a county-level 市 after the
/// city), then stars.
fn mask_address(g: &[&str]) -> String {
    let mut city_seen = false;
    for (i, c) in g.iter().enumerate() {
        match *c {
            "区" | "县" | "旗" => return format!("{}****", g[..=i].concat()),
            "市" if city_seen => return format!("{}****", g[..=i].concat()),
            "市" | "州" | "盟" => city_seen = true,
            _ => {}
        }
    }
    keep(g, 6.min(g.len() / 2), 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_each_kind() {
        assert_eq!(
            mask(MaskKind::IdNumber, "37150219850307123X"),
            "371502********123X"
        );
        assert_eq!(mask(MaskKind::Name, "张三明"), "张*明");
        assert_eq!(mask(MaskKind::Name, "王芳"), "王*");
        assert_eq!(mask(MaskKind::Name, "欧阳娜娜"), "欧阳**");
        assert_eq!(mask(MaskKind::Name, "司马懿"), "司马*");
        assert_eq!(mask(MaskKind::Name, "李"), "*");
        assert_eq!(mask(MaskKind::Phone, "13812345678"), "138****5678");
        assert_eq!(
            mask(MaskKind::Address, "山东省聊城市东昌府区建设路12号"),
            "山东省聊城市东昌府区****"
        );
        assert_eq!(
            mask(MaskKind::Address, "山东省聊城市临清市人民路3号"),
            "山东省聊城市临清市****"
        );
        assert_eq!(
            mask(MaskKind::Address, "山东省济南市莱芜区花园路1号"),
            "山东省济南市莱芜区****"
        );
    }

    #[test]
    fn rare_characters_are_never_split() {
        // U+20BB7 (𠮷, CJK Extension B, outside the BMP) and a combining mark.
        assert_eq!(mask(MaskKind::Name, "𠮷䶮明"), "𠮷*明");
        assert_eq!(mask(MaskKind::Name, "王𠮷"), "王*");
        assert_eq!(mask(MaskKind::Name, "e\u{301}𠮷x"), "e\u{301}*x");
        for s in ["𠮷", "𠮷𠮷", "𠮷𠮷𠮷𠮷"] {
            for k in [
                MaskKind::Name,
                MaskKind::Phone,
                MaskKind::Address,
                MaskKind::Generic,
                MaskKind::IdNumber,
            ] {
                let m = mask(k, s);
                assert!(std::str::from_utf8(m.as_bytes()).is_ok());
            }
        }
    }

    #[test]
    fn hidden_characters_never_appear_in_the_output() {
        // Each character is kept in place or replaced by `*`, and something is hidden.
        for name in ["张三明", "欧阳小明", "司马相如", "王五", "李", "诸葛孔明"] {
            let chars: Vec<char> = name.chars().collect();
            let masked: Vec<char> = mask(MaskKind::Name, name).chars().collect();
            assert_eq!(masked.len(), chars.len(), "{name}");
            assert!(masked.contains(&'*'), "{name}");
            for (m, c) in masked.iter().zip(&chars) {
                assert!(m == c || *m == '*', "{name}");
            }
        }
        let phone = mask(MaskKind::Phone, "13812345678");
        assert!(!phone.contains("1234"), "{phone}");
        let id = mask(MaskKind::IdNumber, "37152419731109066X");
        assert!(!id.contains("19731109"), "{id}");
    }
}
