"""Materials and answering on generated guides of the classes real portals print (our own wording, never copied):
a 普通护照首次 guide page, a 办事指南 table with attribute columns, run-in attributes, a 户政-style numbered list,
a folder of look-alike guides. The vocabulary functions of policy.extract.materials on plain strings."""

from __future__ import annotations

from pathlib import Path

import pytest

from office_agent.policy.checklist import build_checklist, checklist_from_paths, read_documents
from office_agent.policy.eval import item_citations_resolve
from office_agent.policy.extract import materials
from office_agent.policy.extract.naming import procedure_name
from office_agent.policy_models import Applicability, ConditionKind, ItemKind, Necessity

PASSPORT_PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>出入境服务</title></head><body>
<nav>首页 | 办事服务 | 出入境</nav>
<h1>普通护照首次申请</h1>
<h2>受理机构</h2><p>各区县公安出入境接待大厅</p>
<h2>办理期限</h2><p>自受理之日起7个工作日内签发</p>
<h2>收费标准</h2><p>护照工本费每本120元</p>
<h2>办事指南</h2>
<h3>申请材料</h3>
<p>（一）近期彩色免冠照片一张（光面相纸，白色背景）；</p>
<p>（二）填写完整的《中国公民出入境证件申请表》；</p>
<p>（三）本人居民身份证原件；</p>
<p>（四）未满16周岁的，提交监护证明（如出生证明、监护关系公证书等）；</p>
<p>（五）国家工作人员应提交本人所在单位出具的同意出境证明；</p>
<p>（六）现役军人按照管理权限向所属部队申请。</p>
<h3>注意事项</h3><p>所有申请材料应使用A4纸复印，照片不得翻拍。</p>
</body></html>
"""

TABLE_GUIDE = """# 林木种子生产经营许可核发

## 基本信息

| 事项名称 | 林木种子生产经营许可核发 |
|---|---|
| 承诺时限 | 10个工作日 |
| 办理地点 | 市民服务中心二楼12号窗口 |

## 申请材料

| 序号 | 材料名称 | 材料类型 | 来源渠道 | 原件份数 | 复印件份数 | 必要性 | 填报须知 |
|---|---|---|---|---|---|---|---|
| 1 | 种子生产经营许可申请表 | 原件 | 申请人自备 | 1 | 0 | 必要 | 加盖单位公章 |
| 2 | 营业执照 | 复印件 | 政府部门核发 | 0 | 1 | 必要 | 无 |
| 3 | 安全保障责任制度和措施 | 原件 | 申请人自备 | 1 | 0 | 非必要 | 无 |
| 4 | 检验人员资格证明 | 原件或复印件 | 申请人自备 | 0 | 1 | 容缺 | 可后补 |

其他各项提交的材料应使用A4型纸打印、复印或按照A4型纸的规格装订。
"""

RUN_IN_GUIDE = """# 水土保持方案审批

## 申请材料

### （一）必要材料

1. 水土保持方案报告书 材料类型：原件或复印件；份数：复印件1份；来源渠道：申请人自备；必要性：必要。
2. 项目立项批复文件 材料类型：复印件；份数：复印件1份；来源渠道：政府部门核发。

### （二）非必要材料

1. 专家评审意见 材料类型：原件；份数：原件1份；来源渠道：其他。
"""

HUKOU_PAGE = """需要申请材料

1. 双方居民户口簿、居民身份证；
2. 亲属关系证明材料；
3. 未婚证明（限达到法定婚龄的子女投靠）；
4. 离婚证或调解书、判决书（限离婚后投靠）；
5. 入学通知书或录用通知书或聘用合同。

办理流程及时限

申请人到户籍窗口提交材料原件，派出所于5个工作日内办结。
"""


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _materials(path: Path, question: str) -> dict[str, object]:
    checklist = checklist_from_paths([path], question)
    return {i.text: i for i in checklist.items(ItemKind.MATERIAL)}


def test_passport_page_names_the_procedure_and_keeps_every_material(tmp_path: Path) -> None:
    path = _write(tmp_path, "guide.html", PASSPORT_PAGE)
    checklist = checklist_from_paths([path], "第一次办护照需要准备什么材料")
    assert [p.name for p in checklist.procedures] == ["普通护照首次申请"]  # not "受理机构"
    texts = [i.text for i in checklist.items(ItemKind.MATERIAL)]
    assert any("免冠照片" in t for t in texts) and any("申请表" in t for t in texts)
    assert any(t.startswith("本人居民身份证") for t in texts)
    guardian = next(i for i in checklist.items(ItemKind.MATERIAL) if "监护证明" in i.text)
    assert guardian.text.endswith("监护证明（如出生证明、监护关系公证书等）")  # never cut inside its brackets
    assert [c.kind for c in guardian.conditions] == [ConditionKind.AGE_UNDER]
    assert not any(t.startswith("监护关系公证书") for t in texts)
    assert not any("部队申请" in t for t in texts)  # a procedural sentence is no material
    kinds = {i.kind for i in checklist.items()}
    assert {ItemKind.WHERE, ItemKind.TIME, ItemKind.FEE} <= kinds
    docs, _ = read_documents([path])
    assert all(item_citations_resolve(i, {d.source: d for d in docs}) for i in checklist.items())


def test_table_columns_become_fields_and_loose_lines_are_no_materials(tmp_path: Path) -> None:
    path = _write(tmp_path, "guide.md", TABLE_GUIDE)
    found = _materials(path, "林木种子生产经营许可要什么材料")
    assert set(found) == {"种子生产经营许可申请表", "营业执照", "安全保障责任制度和措施", "检验人员资格证明"}
    form = found["种子生产经营许可申请表"]
    assert (form.original, form.original_copies, form.copy_copies) == (True, 1, 0)  # type: ignore[attr-defined]
    assert form.source == "申请人自备" and form.guidance == "加盖单位公章"  # type: ignore[attr-defined]
    assert found["营业执照"].copy_required is True  # type: ignore[attr-defined]
    assert found["安全保障责任制度和措施"].necessity == Necessity.OPTIONAL  # type: ignore[attr-defined]
    assert found["检验人员资格证明"].necessity == Necessity.WAIVABLE  # type: ignore[attr-defined]
    checklist = checklist_from_paths([path], "林木种子生产经营许可要什么材料")
    assert checklist.procedures[0].name == "林木种子生产经营许可核发"
    assert any("10个工作日" in i.text for i in checklist.items(ItemKind.TIME))


def test_run_in_attributes_are_split_from_the_name(tmp_path: Path) -> None:
    path = _write(tmp_path, "guide.md", RUN_IN_GUIDE)
    found = _materials(path, "水土保持方案审批需要哪些材料")
    assert set(found) == {"水土保持方案报告书", "项目立项批复文件", "专家评审意见"}
    report = found["水土保持方案报告书"]
    assert report.necessity == Necessity.REQUIRED and report.copy_copies == 1  # type: ignore[attr-defined]
    assert report.source == "申请人自备"  # type: ignore[attr-defined]
    assert found["专家评审意见"].necessity == Necessity.OPTIONAL  # type: ignore[attr-defined]
    assert "必要材料" not in found and "非必要材料" not in found  # groups, not materials


def test_numbered_list_under_a_plain_label_line(tmp_path: Path) -> None:
    path = _write(tmp_path, "page.txt", HUKOU_PAGE)
    found = _materials(path, "投靠父母落户要什么材料")
    assert {"双方居民户口簿", "居民身份证", "亲属关系证明材料"} <= set(found)
    divorce = next(i for t, i in found.items() if t.startswith("离婚证"))
    assert divorce.alternatives == ["离婚证", "调解书、判决书（限离婚后投靠）"]  # type: ignore[attr-defined]
    assert divorce.applicability == Applicability.DEPENDS  # type: ignore[attr-defined]
    notice = next(i for t, i in found.items() if t.startswith("入学通知书"))
    assert notice.alternatives == ["入学通知书", "录用通知书", "聘用合同"]  # type: ignore[attr-defined]
    assert not any("办结" in t or "派出所" in t for t in found)


def test_folder_answers_from_the_guide_the_question_names_and_lists_the_others(tmp_path: Path) -> None:
    for name, title in (("a.md", "低压非居民报装"), ("b.md", "低压居民报装"), ("c.md", "低压居民报装变更")):
        _write(tmp_path, name, f"# {title}\n\n## 申请材料\n\n1. 用电人身份证明\n2. {title}申请表\n")
    checklist = checklist_from_paths([tmp_path], "办理低压居民报装要准备哪些资料？")
    assert [Path(p.file).name for p in checklist.procedures] == ["b.md"]
    assert all(not p.items for p in checklist.others)
    assert checklist.procedures[0].reason


@pytest.mark.parametrize(
    ("line", "names"),
    [
        ("双方居民户口簿、居民身份证；", ["双方居民户口簿", "居民身份证"]),
        ("弃婴、儿童基本情况说明；", ["弃婴、儿童基本情况说明"]),
        ("离婚证或协议书、判决书（限离婚投靠）", ["离婚证或协议书、判决书（限离婚投靠）"]),
        ("设置批准证书（仅限首次登记）和集体户口簿；", ["设置批准证书（仅限首次登记）", "集体户口簿"]),
        ("监护证明（如出生证明、监护关系公证书等）", ["监护证明（如出生证明、监护关系公证书等）"]),
        ("出生医学证明原件及复印件1份。", ["出生医学证明原件及复印件1份"]),
        ("寻亲公告、生父母或者其他监护人未认领说明。", ["寻亲公告", "生父母或者其他监护人未认领说明"]),
    ],
)
def test_names_in_line_never_cut_inside_brackets(line: str, names: list[str]) -> None:
    assert [line[s:e] for s, e in materials.names_in_line(line)] == names


def test_split_attributes_and_necessity() -> None:
    line = "建设项目环境影响报告书材料类型：原件或复印件；份数：复印件1份；来源渠道：申请人自备；必要性：必要。"
    end, values = materials.split_attributes(line)
    assert line[:end] == "建设项目环境影响报告书"
    assert values == {"form": "原件或复印件", "copies": "复印件1份", "source": "申请人自备", "necessity": "必要"}
    assert materials.necessity_of("非必要") == Necessity.OPTIONAL
    assert materials.necessity_of("容缺受理") == Necessity.WAIVABLE
    assert materials.necessity_of("必要") == Necessity.REQUIRED
    assert materials.is_material_group("（一）必要材料") and materials.is_material_group("需要申请材料")
    assert not materials.is_material_group("营业执照")


def test_procedure_is_not_named_after_a_section_title_or_the_portal(tmp_path: Path) -> None:
    page = (
        "# 某某数字政务一体化平台\n\n## 受理条件\n\n申请人为本市企业。\n\n"
        "## 基本信息\n\n事项名称：对外劳务合作经营资格核准\n"
    )
    docs, _ = read_documents([_write(tmp_path, "x.md", page)])
    assert procedure_name(docs[0]) == "对外劳务合作经营资格核准"
    assert build_checklist(docs, "对外劳务合作经营资格核准要什么").procedures


REGULATION = """# 船舶驾驶证申领和使用办法

## 第一章 总则

第一条 为了规范船舶驾驶证的申领和使用，根据有关法律，制定本办法。

## 第二章 申请

第八条 申请船舶驾驶证的人，应当符合下列条件：（一）年满十八周岁；（二）身体条件符合规定。

第九条 申请船舶驾驶证，向海事管理机构申请，并提交以下证明：（一）申请人的身份证明；（二）医疗机构出具的体检证明。

第十条 身份证明是指：（一）居民的身份证明，是《居民身份证》；（二）现役军人的身份证明，是军人身份证件。

## 第三章 考试

第十五条 考试内容包括：（一）航行规则和相关法律知识；（二）实际操作技能。

第十六条 驾驶证有效期为六年。

第二十条 提交虚假材料申请的，不予受理，一年内不得再次申请。
"""


def test_regulation_article_items_not_its_clause_head(tmp_path: Path) -> None:
    path = _write(tmp_path, "reg.md", REGULATION)
    checklist = checklist_from_paths([path], "申请船舶驾驶证需要提交哪些材料")
    found = checklist.items(ItemKind.MATERIAL)
    assert [i.text for i in found] == ["申请人的身份证明", "医疗机构出具的体检证明"]  # not "证明："
    assert all(c.section.endswith("第九条") for i in found for c in i.citations)
    assert any(i.kind == ItemKind.ELIGIBILITY and "十八周岁" in i.text for i in checklist.items())
