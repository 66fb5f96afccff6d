"""Reading two classes of guide the dev sets lack: a regulation by 章/节/条/款/项, and a passport office's guide page
(受理机构 / 办理期限 / 收费标准 / 办事指南 with materials （一）–（六）). Both documents are written for this test."""

from __future__ import annotations

from office_agent.policy.ingest.docs import read_policy_bytes
from office_agent.policy_models import BlockKind, PolicyDocument

REGULATION = """机动车驾驶人考试与发证办法（示例）

第一章 总则

第一条 为规范驾驶人考试和发证工作，保障道路交通安全，制定本办法。

第二条 本办法适用于申请、考试和发证的全过程。

第二章 申请

第一节 申请条件

第十条 有下列情形之一的，不得申请机动车驾驶证：
（一）有器质性心脏病
（二）三年内有吸食毒品行为
（三）其他法律法规规定的情形

第二节 申请材料

第十二条 初次申请机动车驾驶证的，应当向车辆管理所提交以下证明：
（一）申请人的身份证明；
（二）医疗机构出具的有关身体条件的证明。
申请人委托他人代为办理的，还应当提交代理人的身份证明。

第十三条 车辆管理所应当自受理之日起二十日内安排考试。

第三章 考试

第二十条 考试内容分为道路交通安全法律法规、场地驾驶技能和道路驾驶技能。
"""


def _by_text(doc: PolicyDocument, start: str) -> int:
    return next(i for i, b in enumerate(doc.blocks) if b.text.startswith(start))


def test_regulation_chapters_sections_articles_clauses_and_items() -> None:
    doc = read_policy_bytes("rules.txt", REGULATION.encode())
    headings = [(b.marker, b.text) for b in doc.blocks if b.kind == BlockKind.HEADING]
    assert headings == [(None, "机动车驾驶人考试与发证办法（示例）"), ("第一章", "总则"), ("第二章", "申请"),
                        ("第一节", "申请条件"), ("第二节", "申请材料"), ("第三章", "考试")]  # fmt: skip
    article = _by_text(doc, "初次申请机动车驾驶证")
    assert doc.blocks[article].marker == "第十二条" and doc.blocks[article].kind == BlockKind.PARAGRAPH
    items = [i for i, b in enumerate(doc.blocks) if b.parent == article]
    assert [doc.blocks[i].text for i in items] == ["申请人的身份证明；", "医疗机构出具的有关身体条件的证明。"]
    assert all(doc.blocks[i].location.section[-2:] == ("第二节 申请材料", "第十二条") for i in items)
    clause = doc.blocks[_by_text(doc, "申请人委托他人")]  # the article's second 款
    assert clause.kind == BlockKind.PARAGRAPH and clause.location.section[-1] == "第十二条"
    # 项 inside an article are items, however short: never section headings
    short = [b for b in doc.blocks if b.text in ("有器质性心脏病", "三年内有吸食毒品行为")]
    assert [b.kind for b in short] == [BlockKind.LIST_ITEM, BlockKind.LIST_ITEM]
    assert all(b.location.section[-1] == "第十条" for b in short)
    assert doc.blocks[_by_text(doc, "考试内容")].location.section[-2:] == ("第三章 考试", "第二十条")


PASSPORT_PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8">
<title>普通护照首次申请-某市公安局出入境管理支队</title></head><body>
<div class="top-nav"><a href="/">首页</a><a href="/bs">办事服务</a><a href="/gk">政务公开</a></div>
<div class="content">
  <div class="title">普通护照首次申请</div>
  <div class="info-box"><span>受理机构</span><div><p>各区出入境接待大厅</p></div></div>
  <div class="info-box"><span>办理期限</span><div><p>受理之日起7个工作日</p></div></div>
  <div class="info-box"><span>收费标准</span><div><p>每本120元</p></div></div>
  <div class="info-box"><span>办事指南</span>
    <div>
      <p><strong>申请材料：</strong></p>
      <p>（一）近期正面免冠彩色照片一张；</p>
      <p>（二）填写完整的《中国公民出入境证件申请表》；</p>
      <p>（三）居民身份证原件及复印件；</p>
      <p>（四）未满十六周岁的，提交监护证明（如出生证明、监护关系公证书等）及监护人的居民身份证；</p>
      <p>（五）国家工作人员提交本人所属单位按照管理权限出具的意见（含《同意出境证明》）；</p>
      <p>（六）现役军人按照管理权限履行报批手续后提交的材料。</p>
    </div>
  </div>
</div></body></html>"""


def test_passport_guide_page_title_sections_and_bracketed_items() -> None:
    doc = read_policy_bytes("passport.html", PASSPORT_PAGE.encode())
    assert doc.title == "普通护照首次申请"
    headings = [b.text for b in doc.blocks if b.kind == BlockKind.HEADING]
    assert headings == ["普通护照首次申请", "受理机构", "办理期限", "收费标准", "办事指南"]
    items = [b for b in doc.blocks if b.kind == BlockKind.LIST_ITEM]
    assert [b.marker for b in items] == ["（一）", "（二）", "（三）", "（四）", "（五）", "（六）"]
    assert items[3].text == "未满十六周岁的，提交监护证明（如出生证明、监护关系公证书等）及监护人的居民身份证；"
    lead = doc.blocks[items[0].parent or 0]
    assert lead.text == "申请材料：" and all(b.parent == items[0].parent for b in items)
    assert all(b.location.section[-1] == "办事指南" for b in items)
    assert "首页" not in doc.text


GUIDE_QUOTING_AN_ARTICLE = """某项目推荐认定

二、受理条件

第十七条 县级人民政府可以从本级名录中向上一级推荐项目。

三、申请材料

1. 申请报告
2. 推荐申报书

四、办理流程

1. 收件与受理
"""


def test_guide_quoting_an_article_keeps_its_own_sections() -> None:
    doc = read_policy_bytes("guide.txt", GUIDE_QUOTING_AN_ARTICLE.encode())
    headings = [b.text for b in doc.blocks if b.kind == BlockKind.HEADING]
    assert headings == ["某项目推荐认定", "受理条件", "申请材料", "办理流程"]  # 三、 after 第十七条 is no 项
    report = doc.blocks[_by_text(doc, "申请报告")]
    assert report.location.section == ("某项目推荐认定", "三、申请材料")
