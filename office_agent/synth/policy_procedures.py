# ruff: noqa: E501  (guide texts are data: CJK characters count double against the line length)
"""Guides that hold several procedures, each with its own materials, steps, fees and time (issue: one checklist
section per procedure), and tables whose rows are conditions (情形 | 所需材料).

* ``passport_procedures.pdf`` — 首次申领 / 换领 / 补领 a passport, a ruled conditional table in 首次申领,
  shared fees and place;
* ``expense_policy.docx`` — a company policy with 差旅费 and 业务招待费 chapters, each with materials; the
  招待费 chapter's conditional materials are a table, printed without rules in the photographed version
  (columns kept by alignment only).

Truth ids are per procedure (``fp_`` first passport, ``rn_`` renewal, ``ls_`` lost; ``tr_`` travel, ``en_``
entertainment); a material named in two procedures has one id in each.
"""

from __future__ import annotations

from office_agent.synth.policy import Guide, Section, Table, Truth, item, material

PASSPORT_PROCEDURES = Guide(
    name="passport_procedures",
    suffix=".pdf",
    title="杭州市普通护照首次申领、换领、补领办事指南",
    sections=[
        Section(
            "一、首次申领护照",
            procedure=True,
            subsections=[
                Section(
                    "（一）申请材料",
                    [
                        material("居民身份证原件。", "fp_id", ["居民身份证"], original=True),
                        material("近期免冠彩色照片1张。", "fp_photo", ["照片"], copies=1),
                        material("《中国公民出入境证件申请表》1份。", "fp_form", ["申请表"], copies=1),
                        "下列情形另需提交相应材料：",
                        Table(
                            ["情形", "所需材料"],
                            [
                                ["未满16周岁", "监护人居民身份证原件及复印件1份"],
                                ["未满16周岁", "出生医学证明原件"],
                                ["现役军人", "部队团级以上政治机关出具的同意出境意见原件"],
                                ["国家工作人员", "《国家工作人员因私事出国（境）审批表》原件"],
                            ],
                            [
                                Truth("fp_guardian", ["监护人"], conditions=["age_under"], original=True, copy=True),
                                Truth("fp_birth", ["出生医学证明"], conditions=["age_under"], original=True),
                                Truth("fp_military", ["同意出境意见"], conditions=["military"], original=True),
                                Truth("fp_state", ["审批表"], conditions=["state_employee"], original=True),
                            ],
                        ),
                    ],
                ),
                Section(
                    "（二）办理时限",
                    [item("time", "自受理之日起7个工作日内签发。", "fp_time", ["7个工作日"])],
                ),
            ],
        ),
        Section(
            "二、换领护照",
            procedure=True,
            subsections=[
                Section(
                    "（一）申请材料",
                    [
                        material("居民身份证原件。", "rn_id", ["居民身份证"], original=True),
                        material("原护照原件（尚在有效期内的须交回）。", "rn_old", ["原护照"], original=True),
                        material("近期免冠彩色照片1张。", "rn_photo", ["照片"], copies=1),
                        material("《中国公民出入境证件申请表》1份。", "rn_form", ["申请表"], copies=1),
                    ],
                ),
                Section(
                    "（二）办理时限",
                    [item("time", "自受理之日起7个工作日内签发。", "rn_time", ["7个工作日"])],
                ),
            ],
        ),
        Section(
            "三、补领护照",
            procedure=True,
            subsections=[
                Section(
                    "（一）申请材料",
                    [
                        material("居民身份证原件。", "ls_id", ["居民身份证"], original=True),
                        material("《护照遗失、被盗报告证明》或本人书面情况说明1份。", "ls_report", ["报告证明"], copies=1),
                        material("近期免冠彩色照片1张。", "ls_photo", ["照片"], copies=1),
                        material("《中国公民出入境证件申请表》1份。", "ls_form", ["申请表"], copies=1),
                    ],
                ),
                Section(
                    "（二）办理时限",
                    [item("time", "自受理之日起20个工作日内签发。", "ls_time", ["20个工作日"])],
                ),
            ],
        ),
        Section(
            "四、收费标准",
            [item("fee", "普通护照每本120元，首次申领、换领、补领同一标准。", "pp_fee", ["120元"])],
        ),
        Section(
            "五、办理地点",
            [item("where", "杭州市公安局出入境接待大厅（上城区解放东路18号市民中心）。", "pp_where", ["市民中心"])],
        ),
    ],
    questions=[
        {
            "question": "护照丢了，补办护照需要带什么材料",
            "procedures": ["补领护照"],
            "expect": ["ls_id", "ls_report", "ls_photo", "ls_form"],
            "excluded": [],
        },
        {
            "question": "孩子10岁，第一次申请护照要准备哪些材料",
            "procedures": ["首次申领护照"],
            "expect": ["fp_id", "fp_photo", "fp_form", "fp_guardian", "fp_birth", "fp_military", "fp_state"],
            "excluded": [],
        },
        {
            "question": "我是成年人，第一次办护照需要什么材料",
            "procedures": ["首次申领护照"],
            "expect": ["fp_id", "fp_photo", "fp_form", "fp_military", "fp_state"],
            "excluded": ["fp_guardian", "fp_birth"],
        },
        {
            "question": "护照到期了想换领，要带什么",
            "procedures": ["换领护照"],
            "expect": ["rn_id", "rn_old", "rn_photo", "rn_form"],
            "excluded": [],
        },
    ],
)

EXPENSE = Guide(
    name="expense_policy",
    suffix=".docx",
    title="杭州云帆科技有限公司费用报销管理办法",
    sections=[
        Section(
            "一、差旅费报销",
            procedure=True,
            subsections=[
                Section(
                    "（一）报销材料",
                    [
                        material("经审批的《出差申请单》1份。", "tr_apply", ["出差申请单"], copies=1),
                        material("城市间交通票据原件。", "tr_ticket", ["交通票据"], original=True),
                        material("住宿费发票原件及酒店结账水单。", "tr_hotel", ["住宿费"], original=True),
                    ],
                ),
                Section(
                    "（二）报销时限",
                    [item("time", "出差结束后15个工作日内办理报销。", "tr_time", ["15个工作日"])],
                ),
            ],
        ),
        Section(
            "二、业务招待费报销",
            procedure=True,
            subsections=[
                Section(
                    "（一）报销材料",
                    [
                        material("《业务招待审批单》1份。", "en_apply", ["业务招待审批单"], copies=1),
                        material("餐饮发票原件。", "en_invoice", ["餐饮发票"], original=True),
                        "另需提交的材料：",
                        Table(
                            ["情形", "所需材料"],
                            [
                                ["宴请外宾", "外事接待批件复印件"],
                                ["单次超过5000元", "总经理签批的超标准说明"],
                            ],
                            [
                                Truth("en_foreign", ["外事接待批件"], conditions=["other"], copy=True),
                                Truth("en_over", ["超标准说明"], conditions=["other"]),
                            ],
                            ruled=False,
                        ),
                    ],
                ),
                Section(
                    "（二）报销时限",
                    [item("time", "招待活动结束后10个工作日内办理报销。", "en_time", ["10个工作日"])],
                ),
            ],
        ),
        Section(
            "三、审批流程",
            [
                item("step", "报销人在OA系统填写报销单，上传票据扫描件。", "ex_step1", ["OA系统"]),
                item("step", "部门负责人审核后，财务部复核并付款。", "ex_step2", ["财务部复核"]),
            ],
        ),
    ],
    questions=[
        {
            "question": "业务招待费报销需要哪些材料",
            "procedures": ["业务招待费报销"],
            "expect": ["en_apply", "en_invoice", "en_foreign", "en_over"],
            "excluded": [],
        },
        {
            "question": "出差回来报销差旅费要提交什么",
            "procedures": ["差旅费报销"],
            "expect": ["tr_apply", "tr_ticket", "tr_hotel"],
            "excluded": [],
        },
    ],
)

PROCEDURE_GUIDES = [PASSPORT_PROCEDURES, EXPENSE]
