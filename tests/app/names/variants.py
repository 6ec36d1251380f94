"""Names as real input changes them, made from the real SDN list; and made-up
ordinary names. Shared by the recall tests and the benchmark."""

from __future__ import annotations

import random
from collections.abc import Iterator

from pypinyin import lazy_pinyin

from app.screening.sanctions.parties import read_parties
from tests.app.test_screening_sanctions import OFAC
from vault.screening.parties import PartyRow

SDN_CSV = OFAC / "sdn-2024-05-03.csv"

# A character for each pinyin syllable, chosen so that its usual reading is that
# syllable (checked by a test): enough to write many listed Chinese names in Han.
HAN = {
    "an": "安", "bai": "白", "bao": "宝", "bei": "北", "bin": "斌", "bing": "兵", "bo": "波",
    "cai": "蔡", "chang": "昌", "chao": "超", "chen": "陈", "cheng": "成", "chun": "春",
    "da": "大", "dan": "丹", "de": "德", "deng": "邓", "dong": "东", "fang": "方",
    "fei": "飞", "feng": "峰", "fu": "福", "gang": "刚", "gao": "高", "guang": "光",
    "guo": "郭", "hai": "海", "han": "韩", "hao": "浩", "he": "何", "hong": "红",
    "hu": "胡", "hua": "华", "huang": "黄", "hui": "辉", "jia": "佳", "jian": "建",
    "jiang": "江", "jie": "杰", "jin": "金", "jing": "静", "jun": "军", "kai": "凯",
    "lan": "兰", "lei": "雷", "li": "李", "liang": "亮", "lin": "林", "ling": "玲",
    "liu": "刘", "long": "龙", "lu": "陆", "ma": "马", "mei": "梅", "min": "敏",
    "ming": "明", "na": "娜", "ning": "宁", "peng": "鹏", "ping": "平", "qi": "琪",
    "qiang": "强", "qin": "秦", "qing": "青", "rong": "荣", "shan": "山", "sheng": "生",
    "shi": "石", "song": "宋", "su": "苏", "sun": "孙", "tang": "唐", "tao": "涛",
    "tian": "田", "ting": "婷", "wang": "王", "wei": "伟", "wen": "文", "wu": "吴",
    "xia": "夏", "xian": "先", "xiang": "祥", "xiao": "晓", "xin": "新", "xing": "星",
    "xu": "徐", "xue": "雪", "yan": "闫", "yang": "杨", "ye": "叶", "yi": "毅",
    "yong": "勇", "yu": "余", "yuan": "元", "yun": "云", "zhang": "张", "zhao": "赵",
    "zhen": "珍", "zheng": "郑", "zhi": "志", "zhong": "忠", "zhou": "周", "zhu": "朱",
}  # fmt: skip

_FIRST = """
James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William Barbara
Richard Susan Joseph Jessica Thomas Sarah Charles Karen Christopher Lisa Daniel Nancy
Matthew Betty Anthony Sandra Mark Ashley Donald Emily Steven Kimberly Paul Donna Andrew
Michelle Joshua Carol Kenneth Amanda Kevin Melissa Brian Deborah Hans Anna Peter Sophie
Lukas Marie Pierre Camille Luca Giulia Jan Eva Lars Ingrid Sean Aoife Mateo Lucia
Hiroshi Yuki Priya Arjun Olga Ivan Chloe Liam Emma Noah Olivia Oliver Ava Elijah Mia Wei
Jun Mohammed Ahmed Ali Omar Hassan Fatima Aisha Yusuf Layla Jose Juan Carlos Luis Maria
Ana Sofia Miguel Sergey Dmitry Alexander Elena Natalia Andrei Tatiana Min Hui Jin
"""
FIRST_NAMES = _FIRST.split()
_LAST = """
Smith Johnson Williams Brown Jones Miller Davis Wilson Anderson Taylor Thomas Moore
Jackson Martin Lee Thompson White Harris Clark Lewis Robinson Walker Young Allen King
Wright Scott Hill Green Adams Baker Nelson Carter Mitchell Roberts Turner Phillips
Campbell Parker Evans Edwards Collins Stewart Morris Murphy Cook Rogers Morgan Cooper
Peterson Reed Bailey Bell Kelly Howard Ward Cox Richardson Wood Watson Brooks Bennett
Gray James Hughes Price Sanders Myers Long Ross Foster Mueller Schmidt Schneider Fischer
Weber Meyer Wagner Becker Dubois Moreau Laurent Rossi Russo Bianchi Jansen Visser
Nielsen Hansen Larsen Kowalski Novak Tanaka Suzuki Sato Patel Sharma Murray Walsh
Garcia Rodriguez Martinez Hernandez Lopez Gonzalez Perez Sanchez Ramirez Torres Ivanov
Petrov Smirnov Kuznetsov Popov Volkov Khan Hussein Rahman Ahmadi Hosseini Haddad Saleh
Kim Park Wang Li Zhang Chen Liu Yang Huang Zhao
"""
LAST_NAMES = _LAST.split()


def sdn_rows() -> list[PartyRow]:
    return read_parties(SDN_CSV, None).rows


def ordinary_names(count: int, seed: int = 16) -> list[str]:
    """Made-up names of common first and last names (some with a middle name)."""
    rng = random.Random(seed)
    names = set()
    while len(names) < count:
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        middle = f" {rng.choice(FIRST_NAMES)}" if rng.random() < 0.2 else ""
        names.add(f"{first}{middle} {last}")
    return sorted(names)


def split_listed(name: str) -> tuple[list[str], list[str]]:
    """("LAST", "First Middle") of an individual's listed name, as words."""
    last, _comma, first = name.partition(",")
    return last.split(), first.split()


_ACCENTS = str.maketrans("aeiounAEIOUN", "áéíóúñÁÉÍÓÚÑ")


def _typo(word: str, rng: random.Random) -> str:
    at = rng.randrange(1, len(word) - 1)
    if rng.random() < 0.5:  # two letters swapped
        return word[: at - 1] + word[at] + word[at - 1] + word[at + 1 :]
    letter = rng.choice([c for c in "aeiourstnl" if c != word[at].lower()])
    return word[:at] + letter + word[at + 1 :]


def _han(last: list[str], first: list[str]) -> str | None:
    """The name in Han characters, when every syllable is in HAN."""
    surname = "".join(last).lower()
    if surname not in HAN:
        return None
    given = _syllables("".join(first).lower())
    if not given:
        return None
    return HAN[surname] + "".join(HAN[s] for s in given)


def _syllables(text: str) -> list[str] | None:
    if not text:
        return []
    for size in (6, 5, 4, 3, 2, 1):
        head = text[:size]
        if head in HAN:
            rest = _syllables(text[size:])
            if rest is not None:
                return [head, *rest]
    return None


def han_reads_back() -> list[str]:
    """Syllables of HAN whose character pypinyin does not read as that syllable."""
    return [s for s, c in HAN.items() if lazy_pinyin(c) != [s]]


def variants(rows: list[PartyRow], *, seed: int = 5) -> Iterator[tuple[str, PartyRow, str, str]]:
    """(how it was changed, the listed party, the name as screened, its kind)."""
    rng = random.Random(seed)
    for row in rows:
        if row.kind not in ("individual", "entity"):
            continue
        kind = row.kind
        words = row.name.replace(",", " ").split()
        if len(words) < 2 or len("".join(words)) < 6:
            continue  # one-word names: nothing to reorder
        if kind == "individual":
            last, first = split_listed(row.name)
            yield "order", row, " ".join([*first, *last]), kind
            yield "case", row, " ".join([*first, *last]).title(), kind
            yield "accents", row, " ".join([*first, *last]).lower().translate(_ACCENTS), kind
            if len(first) >= 2:
                kept = [*first[:-1], *last]  # the last given name dropped
                yield "dropped middle name", row, " ".join(kept), kind
            han = _han(last, first) if "China" in row.nationalities else None
            if han:
                yield "chinese script", row, han, kind
        else:
            yield "case", row, row.name.title(), kind
            yield "accents", row, row.name.lower().translate(_ACCENTS), kind
        longest = max(words, key=len)
        if len(longest) >= 6:
            changed = [_typo(w, rng) if w is longest else w for w in words]
            yield "typo", row, " ".join(changed), kind
        aliases = [n for _q, n in row.aliases if len(n.replace(",", " ").split()) >= 2]
        if aliases:
            yield "alias", row, rng.choice(aliases).lower(), kind
