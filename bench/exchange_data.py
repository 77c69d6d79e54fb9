"""The data of the data-sharing benchmark (bench/exchange_bench.py): Django code run in the bench
database by `LicensesPlatform.run` (each snippet prints one JSON line).

- PUBLISH: make the 营业执照 material (`business_license`) of 济南's 食品经营许可 come from SOURCE
  (`sharing`: fetched at submission from 市场监管's register, as in the demo; `applicant`: uploaded)
  by publishing an amendment through the catalog services, unless the version in force already
  has it. Only that material's source (and its acceptance standard) differs; everything else is
  copied from the version in force. Prints the version's id.
- DRAFTS: N drafts of lisi for 泉城餐饮 on the version in force, made through the case services
  with every material the applicant uploads (the 营业执照 too when the version asks for it).
  Prints their refs.
- READS: the reads recorded since id AFTER (exchange.DataRead): outcome and failure reason, in
  order, to tell what each failing-provider submission met.
- CASE: the number of one of lisi's submitted 食品经营许可 cases (for the case page).
"""

PUBLISH = r"""
from yiwang.accounts.models import User
from yiwang.catalog import services as catalog
from yiwang.catalog.elements import MATERIAL
from yiwang.catalog.models import ImplementationVersion
iv = ImplementationVersion.objects.select_related("implementation__item", "implementation__region",
    "implementation__department").get(item_version__name="食品经营许可", status="published",
    implementation__department__name="济南市行政审批服务局")
current = iv.materials.get(key="business_license")
if current.source != SOURCE:
    specs = [{name: getattr(m, name) for name in MATERIAL.names} for m in iv.materials.all()]
    for spec in specs:
        if spec["key"] == "business_license":
            sharing = SOURCE == "sharing"
            spec["source"] = SOURCE
            spec["source_reference"] = "scjg.enterprise_register" if sharing else ""
            spec["acceptance_standard"] = ("提交申请时通过数据共享从市场监管部门调取，申请人无需提交；调取不成功的，可上传营业执照"
                                           if sharing else "上传营业执照")
    drafter, reviewer, place = User.objects.get(username="sd_catalog"), User.objects.get(username="jn_catalog"), iv.implementation
    draft = catalog.implementation_version_draft(actor=drafter, basic_code=place.item.basic_code, region=place.region,
        department=place.department, change_kind="amend", elements={}, materials=specs,
        change_reason=f"基准测试：营业执照来源改为{'数据共享' if sharing else '申请人上传'}，作为数据共享开销的对照")
    catalog.implementation_version_submit(actor=drafter, version=draft)
    catalog.implementation_version_publish(actor=reviewer, version=draft, note="基准测试，同意")
    iv = ImplementationVersion.objects.get(pk=draft.pk)
print(json.dumps([iv.pk, iv.materials.get(key="business_license").source]))
"""

DRAFTS = r"""
from django.core.files.uploadedfile import SimpleUploadedFile
from yiwang.accounts.models import Enterprise, User
from yiwang.cases import services
from yiwang.catalog.models import ImplementationVersion
from yiwang.demo.cases import FOOD_MATERIALS, SHOP_ADDRESS, WANGWU_ID, food_form, tiny_pdf, tiny_png
iv = ImplementationVersion.objects.get(item_version__name="食品经营许可", status="published",
    implementation__department__name="济南市行政审批服务局")
materials = {**FOOD_MATERIALS, "authorisation": "授权委托书"}
if iv.materials.get(key="business_license").source == "applicant":
    materials["business_license"] = "营业执照"
lisi, enterprise = User.objects.get(username="lisi"), Enterprise.objects.get()
refs = []
for i in range(N):
    form = food_form(f"济南泉城餐饮管理有限公司基准{TAG}{i}号店", SHOP_ADDRESS, WANGWU_ID, by_agent=True)
    draft = services.case_draft_save(actor=lisi, implementation_version=iv, form_data=form, enterprise=enterprise,
                                     delivery_method="electronic")
    for key, name in materials.items():
        upload = (SimpleUploadedFile(f"{name}.png", tiny_png(), content_type="image/png") if key == "layout" else
                  SimpleUploadedFile(f"{name}.pdf", tiny_pdf(f"bench: {key}"), content_type="application/pdf"))
        services.case_material_upload(actor=lisi, case=draft, material_key=key, upload=upload)
    refs.append(str(draft.ref))
print(json.dumps(refs))
"""

READS = r"""
from yiwang.exchange.models import DataRead
print(json.dumps([[r.id, r.outcome, r.failure] for r in DataRead.objects.filter(id__gt=AFTER).order_by("id")]))
"""

CASE = r"""
from yiwang.cases.models import Case
case = Case.objects.filter(applicant__username="lisi", implementation_version__item_version__name="食品经营许可",
                           number__isnull=False).order_by("-id").first()
print(json.dumps(case.number))
"""
