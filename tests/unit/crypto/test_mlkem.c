/* ML-KEM-512 (FIPS 203).
 *
 * Known answers from NIST's ACVP server test vectors, repository
 * github.com/usnistgov/ACVP-Server, commit a9496ad1031556369a9d2c1f20371ff2f50783c0
 * (the final FIPS 203 vectors; older commits of the same files were made
 * for the draft, without the k byte in G(d || k)):
 *   gen-val/json-files/ML-KEM-keyGen-FIPS203/{prompt,expectedResults}.json
 *     tgId 1 (ML-KEM-512), tcId 1 in full; tcIds 2 and 3 through H(ek),
 *     which the expected dk carries at bytes 1568..1599;
 *   gen-val/json-files/ML-KEM-encapDecap-FIPS203/{prompt,expectedResults}.json
 *     tgId 1 (encapsulation, ML-KEM-512) tcId 1; tgId 4 (decapsulation,
 *     ML-KEM-512, one dk) tcIds 76 (valid ciphertext) and 77 (a modified
 *     ciphertext: its expected key is J(z || c), the implicit rejection).
 * Hex below is lower-cased; otherwise byte for byte as published.
 *
 * Also: the internal codecs and NTT against their textbook definitions,
 * round trips, implicit rejection, and the §7.2 / §7.3 input checks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "base/secmem.h"
#include "crypto/entropy.h"
#include "crypto/keccak.h"
#include "crypto/mlkem.h"
#include "crypto/mlkem_poly.h"
#include "test_util.h"

/* ---- ACVP vectors (see the top of the file) ---- */

static const char kg1_d[] =
    "cdf4e658bdd4636f09f70bd76ce6d1af028562586ef237c7481033ee03c31ff2";

static const char kg1_z[] =
    "38cd80fe6cd34678de86e55e145baf191b675c19c485c54ef3522c044d42f6ee";

static const char kg1_ek[] =
    "b1b5987867073ba270695ab4fc076975cc5c1be18f8dcc36660ace35a72d678639483c86b780a483fb3c77c8998f7047cc027ce6522998d796e8f288"
    "ea893d3e34acb1cb4375657819012baadb7b8a878f8fd4c7b6b42641f5b1c286acbb41783b2cbe62a167f92a274a4763a2c293360179421ccc933b96"
    "a8c693fe47730db1450fe04dc98b8c4e05b6a10b5cf07b44a620c3576932ba420bc536c149d1ba3cb40df2497a7e9cc8e385a291c411717368180aa4"
    "aa00026c08b1a051a0b0c6ba96572af9511ff020a32f47cb2ea4a9428345ac347ce1968a1159847f2b2d46355c63fb5043765f37e967a97b2113e52a"
    "66c3c8d1f3127814553516bfa2bcb26b537f1fd23cfaeac28d842cf334534fe24782d7841bc3c0e2a9721d7084faa32f03b00f018028a9f650136c79"
    "e6a39dcef08d23b1b936a2a2b5790022eb8184052a2d39898761289f13bc587898f4538aca0b19c471bb7dca949a478fe7d36a71a8bab72976eaba62"
    "bafab2bf772ee48cc12b63c06be90929e562925562803903a4c1cae1984a82d95a3a507608c337a3f7b89fc09883da24b8e3abb3789d1ca938c0e747"
    "fa1a38153b96d1122dc6b69258f474324a3a7024713b9cc896118f09087b52bc079277b0b9004b45330707ac5e1e8c34cbc40971d8acc49c93a5903a"
    "9394ca873a7e7af09ce2192bec9a6070d28118715b5ec592481bbddb67c14acb88823b7161e85798a36ad7b68ae5584fa02c66ee7a6a35a97d496c8e"
    "9927421b110e00468729d5924d016a68800ccca3aede4ccc6471c07c2a0b8b5168b4647cb240ac8745c22b0aade8b4883a7a43f53abe21b384ba9474"
    "1a787634e72b599c25d3904627c69b91013a4ae749117b0f41aa86b389bf46707d07812b7424b3e5f1ba000c9d1386091c29337ad697e3089d2d5146"
    "fd1bbf66eccae1430eec8a1308cb99210c19a71b3a0df42559c4a7ec7ba901c3bb6168b5cce02989e54dc193229759b9fe3b5e31013117dcb67ee532"
    "01e18f52931239b7a2fd477970cba3d0621cd555c498600759746453c94fbc539608f4b47631b3a6c4ab32849f8716a557b93a417db8fbc47945b607"
    "65d6d59fced9312e8435b43711118891e6eeb2c1";

static const char kg1_dk[] =
    "6441b2f8804d0d9b08827a6e8aa3b25032ba71e341297bbaa3f33835149825d2810182c9a24b0892355f68cc3719b2085cd2b205910f450a0d4f4cb4"
    "9ac0a826b88bbdbac1429c6af3e25e67338d3525658e5433a7cba2cac6cc07933a3bb1bbd7a10e87b481ea54a43ec926b82044fac0895c1b3535669c"
    "77139729763cbe466bccfca940ac3734070b88b7c3d944b3d465188644819a9a8a413c9d8911668c4b567eac80531cadc8717549c483bb39866eb68e"
    "b8e2ae53836d893864b7ccbe519893c8f7cac00b2ae30c059e54a09799273df44f2c8cbd426c618bdb676cc26073d46d9e652ee6a667a5f0cd60e54e"
    "9d22cfc2a2ca23d39040a38873646293ccaf2bb9110dd217b0eb065e7737a4b85ca6a73c215c0d2b899b01b30e461009e28ca280ab6805fc2a91c6cb"
    "665194d7430640f65a87714bb8632718b94ea649a95bb80dad67134bb8628a6790c5e9013939306d8649aa65b67260bd6d28be682562352935a95839"
    "ad672059d9c30794c513a5726edb962e385a71a76a9454bbdb9c2e45315c3d07298c19015d68347d7067582b3b8f8cb59ae582ae4b2c74ac6ad89433"
    "0f93b18571976e01ad9de592cafac2805712aeb60351989946c13f831327aa120c8a368bbfba7a8999b3b9e762e700227e0b4d0e7c00603768fa2370"
    "68d95b5b0045bc1206381b5e9175460f31855fb4bf2c2376c0e515a6224d3bf94a099a89fc215f9c39958c440ff8eb71a4476c9c4c4357045547182a"
    "537181ed48b07c275170c853c08c71cd5c2e526700688c394e166062ec35a5b062a31306bb5c30224bca7e1664dcd3c1061141cfe83714449fefca2a"
    "792b734ac247ca3479c0a469f763aabaa6331d413201699b2ae22a79f076c6f2c1bee8aff3d3960cc37a242391484c8ff872c65d576e05ca0e7f614a"
    "3dd43d8e23658699960773178be97f2e96be4da5530c3a7dec06346a092860458681024969a16a3cf128d4439df9780f38f16f89848299416a0c5460"
    "600a517d615dcda4204d36c167bb083272c69977a175f3b434db79724a6c51279428ca6bb8476ccc2c23033c768b1628b1b5987867073ba270695ab4"
    "fc076975cc5c1be18f8dcc36660ace35a72d678639483c86b780a483fb3c77c8998f7047cc027ce6522998d796e8f288ea893d3e34acb1cb43756578"
    "19012baadb7b8a878f8fd4c7b6b42641f5b1c286acbb41783b2cbe62a167f92a274a4763a2c293360179421ccc933b96a8c693fe47730db1450fe04d"
    "c98b8c4e05b6a10b5cf07b44a620c3576932ba420bc536c149d1ba3cb40df2497a7e9cc8e385a291c411717368180aa4aa00026c08b1a051a0b0c6ba"
    "96572af9511ff020a32f47cb2ea4a9428345ac347ce1968a1159847f2b2d46355c63fb5043765f37e967a97b2113e52a66c3c8d1f3127814553516bf"
    "a2bcb26b537f1fd23cfaeac28d842cf334534fe24782d7841bc3c0e2a9721d7084faa32f03b00f018028a9f650136c79e6a39dcef08d23b1b936a2a2"
    "b5790022eb8184052a2d39898761289f13bc587898f4538aca0b19c471bb7dca949a478fe7d36a71a8bab72976eaba62bafab2bf772ee48cc12b63c0"
    "6be90929e562925562803903a4c1cae1984a82d95a3a507608c337a3f7b89fc09883da24b8e3abb3789d1ca938c0e747fa1a38153b96d1122dc6b692"
    "58f474324a3a7024713b9cc896118f09087b52bc079277b0b9004b45330707ac5e1e8c34cbc40971d8acc49c93a5903a9394ca873a7e7af09ce2192b"
    "ec9a6070d28118715b5ec592481bbddb67c14acb88823b7161e85798a36ad7b68ae5584fa02c66ee7a6a35a97d496c8e9927421b110e00468729d592"
    "4d016a68800ccca3aede4ccc6471c07c2a0b8b5168b4647cb240ac8745c22b0aade8b4883a7a43f53abe21b384ba94741a787634e72b599c25d39046"
    "27c69b91013a4ae749117b0f41aa86b389bf46707d07812b7424b3e5f1ba000c9d1386091c29337ad697e3089d2d5146fd1bbf66eccae1430eec8a13"
    "08cb99210c19a71b3a0df42559c4a7ec7ba901c3bb6168b5cce02989e54dc193229759b9fe3b5e31013117dcb67ee53201e18f52931239b7a2fd4779"
    "70cba3d0621cd555c498600759746453c94fbc539608f4b47631b3a6c4ab32849f8716a557b93a417db8fbc47945b60765d6d59fced9312e8435b437"
    "11118891e6eeb2c173eab9578a8556aa31c7cdc35f49987e3f6e1843ca41137bf1d50dc20557f4df38cd80fe6cd34678de86e55e145baf191b675c19"
    "c485c54ef3522c044d42f6ee";

static const char enc1_ek[] =
    "eddba9cb830474ec0111408243a97335494dddfa8d5c6a344b0c9ed1061a7d4a840891c24e140be6d7bdee01571a1312d4000591f2224b850105878f"
    "d3966f537ac348d042b95785b8171f18647619072780c131bdaa462d34a039014012bbb2197a4328f89cc5b750cad9495be607d5017dfa105d87c830"
    "432795b42c5e89d8b536c087592829ed934822768a1824696a278952627ca2ea73cda4a306f972b8521b6a7b28dd0ac44e6a8c46ba7291d48574f835"
    "6065afbb073df9b84b520673f6644d3959bad576497e0bc846f560ce697c35493a995597f66315639a7b20b84105eaa48f3b4593a0bf12d64ad4cb04"
    "3b6435d44a2f5e136f21621b88704df8855c4f1689761a239dfa6874455d48251eb087865ac3825c275a1018b112f01e82d8698f684c8ee127d9d25f"
    "b92b180677a36930793dab0306aac8bc80a79885b0737c6b319600bb859966ab9f082490e31b669008cd055921cb2360667180611485e5d70e774401"
    "739b16f54601d4a600608119e4b3112aac92d1c094e40318d4259044d16d3ad62b35170b54d16f0f850c593b2062cc3a769b4d28b6a776f981d4bc83"
    "5612349292b748e30098d29c668a80f68718bf40b7e785ce41c094a7326f3e6992d99b80e64350c5395823b1315160582ec10b01a4337c52c355e98b"
    "857b2df0006a0e8ab49f5ba23b8c7e329c20f91386852a8948751c0f301465d713e7857a7bd8b6076c059be378f74bb257750f544a31874b79abea78"
    "f8647e77001506919aa467019e924b7be53705a5c9411a8b513c8c51300849136e77919cf83cba9ea1cd6004aa7178c8e7d062e5e13544e060b34984"
    "f61c2eb6b56580c45f67da8982a97bd5bba9d98462161a55357079c15a2a33992d4b66093db03676d0c385dcc6dd3c18ec8138738aa0fd6058c9f721"
    "c5e3131d7828c9675048949d0ce32e92a3363ec0527f54c89b5140590822d9c96cb1baa43a8caccc085ea6fb602b871128ab2c8a2a1644623a1d7175"
    "cf4a23f4b497b7bb4d0b652ea4272d7a99a9a5f4c54eaa6482d0bfb4e46ee482b892895c78dcbae4414543e0bf8ac4c82889bc6ddc385624ac7805cc"
    "c644bb430588aa19723aee5999ef2ae2565c3bb3";

static const char enc1_m[] =
    "381c547ce06b687a7a17c1a99d11a7a4c35b82685af51ce452099c60136fd84a";

static const char enc1_c[] =
    "387f23816ca3aae900520559080374e6bff44117d50d78ec4cb4a5c08a955dbbdfcbde0803301ba3e40a9c33caae6dfa71eed311d9ecb84b497d3259"
    "b614da30c71803288904d0e1b9ea8fb5750878602148e6fce794b91e2778b07d87706e620b727162290ca7ce27ddec5110770614175ce61a837ce46d"
    "a95d6ae7fbd9d4709636807eb67cc5992a643eaba2c253050c7b63ca6ca83617bcaf453ac3e24b9c3617038aa3a2fdc52a32ee7b2ec2b67e5f442bfb"
    "8d5429f079096fa7d5b9fbd81b096a75f2c9faad8e97ddc003eb88f55f482775ba7bd661bfcfc27d3a7c1071c5a7b020e80f6950bf315a040f4cf025"
    "a74b42dc008f4c084690f43e8502bfb740538bf3df05336ddd6e33a3a4679a33c8a724125a8ec897a593741ca9c934ceec2f20c82ccf439011c50669"
    "37377183c8cc96046985b92f6d014e0223ea542a8ba0a789478eb4b4f04aa98f7e6a4d4ac8852e8670b5a4097f7584fa136a159daf5005d9fef08868"
    "bfbfbe15d320aeaffb3de18c8f39a22a876d750aad4f85546a88b0d0b498535b590b191894f43763bd13379bbd2cdef4c98a571103e9409b2227315a"
    "b892990984fd6c9f375164959e3035b16c650ce71afb62f7e3bfc624facc973b104b44f6a2bceee1aacf0c3d8ce9addceb26e3e786c116b70a3cf2c6"
    "3524f472a2f15dbab3ff8fde34f015dd8dcfcbb17793a552e805ad5541adfc6890b5e3a4ddbbc1cdb9b36d12dc49ca22cbb91f5bb599ef86dc4b5820"
    "b8e3d965839dfaa9392d29a878315bea9a6885994c0d07843a4dc2fb87d0c8507cb17c549c3e60564d263221635f831c9f1f6539f07248e5ba857154"
    "1cf69151630161c0dba57da3a3c6296feb02c19e2080f57c657ca74656b88b708450da5ded44594b12614054d643feb674e18fd3b863de526efb6d24"
    "26a58ae363658e8318578029da3388d5a3c81e53e22f2802cbfd52760af128edae7d1fc3379642fd8b9a791b289d7ecfc546158fbdcfbe1643b03b68"
    "74f3ba918849d93e5c0172e684c303d8d58cc5de703a35fdb5796b81cd415b35daeb60fcc043827401542fe35ad72375";

static const char enc1_k[] =
    "9a4e2bcc0e5e40528b4c2879d8be4bf7aa266c16762480054b475814789eabca";

static const char dec_dk[] =
    "c0e30cd83bb723eb78f9e8374bfca1ccfa37972a138cb406d6b20d909bbfdb98c270b77828397da1dca3ad9635366cca843ab003896f819888120649"
    "cfd30991543a447abc89561626509cd805c1aeea9a0e5b4785f57f6f4b42953149ed139de2a4297d413414502249cc208579456de19ff381aa61015f"
    "8800c7938ca98b504e59f9b29028affd377e6c044fbf7461e21107a9e39932c6356b962b55603c4e2b90c8759b8ca68baff62fe363304d79807bf546"
    "4a597a9ea7b269fa5b9d5a2c9dba3002916eb6813680703a1d9b99821b77cc3831a393c33cea3ee0643618d559da8954a0731737476feb95811bd24c"
    "1be38a88eba55aa98f7379b74ad052e2c262f904a18996ae5c04cea94b187eb003bcb50728758a80c67a70e3ceac417f6422ab7668440b7213b0b929"
    "0b031b7c8b4f9cb75cb6267129e1c9af440b5b33933e860dcc89a6adb46b0da643a95310e8b4928505bc7ab5bc1fda88f9085bfea0526610247efc23"
    "c11a07e7ec9dd3bc368c215365032295455989537c75f1be137424fa022bcaca9cc93325dadc6892295c12207d3e678d187436600648788290288796"
    "af5586d24ac7b763408017b7029a1ed5c71347a8ce933c57a729195fdab2d1aabcbc5cc8a072a1f0b78ed277b6e8a324f4d78d690022057484c0ec21"
    "657baa823a296b3822b84b21756727dd3859fe40597329c0c672b907dcbc079346dbfac81c816ce582c541e6c008b5548c238ac328aad92034f00278"
    "b49895d2275c4bf685170c3536040e0dbbcfb5fa7611a5886099b41b70338da9b2707c15b2e05d79164b6f041852eabc0e129845b56db47899383053"
    "d7211f1672410d6940dc0329a79a301f0a3717151cb372bbbc6616a87b7c4508ad24169a6c9a5d8e7b6f3a3a2f5ffb4223ba5378f13dba235a7a34af"
    "08d3a9feabaf2da9041ca600b5907d79b268fda68610ab2271607e9033b39df28d52c17dd3a3ca2b334bdd557fa9a881dc31b28c56483fd86ec61ccb"
    "bb9345303b6ef1d699f6325dc258cac1548be779018cc3a5bc45737180cea64231f38b0113b08a6344577d69677100c5b0e511f2e3c1b53634b58505"
    "9ffc2573c20107c84f5f1c1744d2ac22fc14d1f92d87ec15a27187f49bc2cd66972d8b358e5b646934161c7a6563ac261da8959562cc3ea9a7941bb7"
    "5d72a54c82c248a8909a482f9a195644427a04d76778744317f51c473c2b91e392740bc539a1c8dee4696eec0db4b3c39383646507714a9a73dae01e"
    "9126c1e5ab4adc3b52a7b1b31e7bb19f922984606d02b46621097e83361a7188750c7507e546165a551faaf660cf9453fb367b701043c3c05f5447cd"
    "bcf96a47b0887fe77b82f0b31e784220187f738b1bda106b75d341d0a194d78a8d5e9157a862b9aac6564f9744567cbb5d7a49ff554357ac564dea27"
    "2c1cc10e2410148b8c0d0090ab322a252816677005888c9e107838cca0adb6900d058a31f4bb4c6e62526c84cb77e3bfc8f967dd44ba5a242901d4b9"
    "f72881c2378e7f0013e91b17bbc9b468615563b1089592cc88a179a88356a349a5d8f006078c825a3b6f7c0184c907adcd5c7e5f0aca6197b5d6f10c"
    "ee34ca9e5254c6083a5cc39a2753c7deb603a09352f1691fcc6c2188d586b2e5a15548be4ac47d2390551a76633c1b1ce7709e7840a125a313dfc39b"
    "982b6a20bbbe9ed41c1ceb6881434fd71aa1c58b5408e540c5e68960976612920b6bf81e64d39b005788d4c0695ea7aedff8b258e438bac600ea4b90"
    "f74b659312610c12748c4c0cfcf6c4b443aa30697f857497c21c55101c38a789af5e06b2585390f00c2a712c490de45bef7b58bad1ae10f0161bc84a"
    "2b03ba1b3974c9c0cbfa6876e892730fda4086e80eb3d57f00a5422083999aecb46080588926af21553df60005fc7c368ef45722da9676cb0e33d23b"
    "b63031e966a88ed10ab247aab04a9af8a57e5d039c14879973a04bfab5700889a2f2957c2e87c99db3c98b53212ad49f7b013818f7cb4ff7c9503302"
    "abd259a84311bc0635dc2a2865c2b5454c3bed8a0a37f776e52cb16ac98a4071b529a05392ea259e653439335168a6c22f1a1ab7c351660b1ab62213"
    "c0682f002217e7a85d1c86cb42447d1b7b63707709dbe72c81145354a422e882cd100a69fd961b497f3876c842570d3afefa002f4cd5959dae0a0c49"
    "7873d39d1dcce42ee18026c8b7969d8b174149aed20a800d295f385eebcc40364975510ea8598fa1f6eddc170b0fdfe3a88beefff8a8e515e1c03897"
    "81ca859d711ec5d957f5d5ac";

static const char dec76_c[] =
    "af9a75a80ca59c0b62079e0d51d4008891dc8e89396112007b751c6360386c60473faf9dccfe3eda110f3c3acc3537b352fb7317b4eec825ccd74f82"
    "83f83b9120ee4dbb2d3d679b68d29827100e1d11731f13f5a446cfca56320898906c3676370dc57a8ba3dabe8210bff992c4a296bbb6461a70b77e3a"
    "76026a7f98d241ca0386bec24483f499478380044e330e5c517dc4f35576a9a95a92db21886aa21439ff5ca476ef03033fa938554e874333483649c9"
    "dc19a3289b3ba42e9c250ba57cddf0477123b7f5fcf5e22ac0c90ad2af5febf65b12cd6135655cbc3f56fac7040944389adc0b42cf54702ca89f9fbd"
    "8fa7eb01159fbd7d90ca562de3da056615ad8cf95b3880261a200efc69df92bd010c81e867dbac17ffa5dc55d9c3c3493fbc418ab5045e06b3675b35"
    "19058df1a83c81aa36386889d002d8365d77a909334329b727ee069cd2a97e8a27c031b5a2e6a029798990c089207bed80ea181f74652057d217aa4c"
    "46b4580f9e26da7f3a2764e264bbd8b6a8fc80bc9736b3517035e7015e0a3cf8fec2111a3a21686663772e659f4948aae9417a84d4c71c72b0a1ba72"
    "510a38141b3cc0879cd04bf7da4b48d7e25248b62b292da07498dc25ca7a79eb3855f4a6842835f78721ca54299dbcd2699d57ec85d07932d37aaca5"
    "d0795a3a0aef24751a5005984fccdf0c13c7adf95b75c5b0fb37e26a5d77b71bf4366cbc67756cdb4792514b127f191926e2e58ddefaf09e9c8fdb15"
    "159e5791321cce1da58742130b9c4d55d262970fe49672e6f458dd6e057a9d4b2ea897d2cb6980c33d2894f1075b5c3ed4bd559a92a50fcf4b6f393d"
    "bae1183dcce4fb825dcf0112d6d9627ce6c44b7b7573360fca6de7296a1c8cf816463a8fede8023849caad8862af922ea382f4ca9ce9c5eba2b0dac8"
    "9750cf33c6c607d3a7cecd4b92e6517bdd4db5b2e29c46413e08974360475b344c6610f174e9999dabbcfbbb6fb884dd6ff1e3f792e3ffcee0dec92f"
    "eed391769b634a6977b71a1cfa8640b44c93805f92c14754357379b02e0f51f69343df5fd3787147d9ac97c2fdf2a663";

static const char dec76_k[] =
    "2546b38ae3250161d8c028791b980e1e509ea558e8dd7ade419c25d18592f3ec";

static const char dec77_c[] =
    "d019445bee1a284978355398706498a72827bf5851e86eccc5c84906e5c088c70354fa78430108c6d2331429e459e236e674f0a38d092c824cce8deb"
    "98222a82e550a3e411ab5d3ff1a2de778de66a3717cb3a4c44f972504d72aea0f4d3aa791e7c700e5c6d1d3442cc24f3375f2acece3cc8b6df9ebc7e"
    "f2a9676e5bb335f15da189ef79d3412d5a945e69de4b88f1e90e52b7d91536c3eda920c3798f123b9aa871af4e0d2b1207845f4f1832b0f71cfdbf73"
    "358b506b558b1481bdeb92f7668b9d84d17891760a39021f7610205eac0a26b223c663391c7d7fcca8ac8bdaa60afb7048487cdb21d0f1659cb79329"
    "f6a2d6469da4e69d2b84d38bc6c462568976a158c2bf9302617b1ad246ac69c5d357e04e78e33ad3e23e9be092715e4d7f4a4d03203ccdd681d31d79"
    "07ca5770d604b701283022c08ae98bb26025a3fcc6be1790fd6f6066a50180145f2c63a4566b90f0300039f16aad47086717b9a167d73bc39fb56f0f"
    "c6e21c45a351d60dcc888560fe3fd26c74c400f8a976fcb06a9ee5fbb52965ca737c801f0cab5a87f78e2e1f98ab6041642ac76e676ce911e9dd7528"
    "b07a9a55f9b8dfb99cd9ffea33b440c402408bce002322229b79a9d3a80f2674b0a4d5f736fce9fc78df2fcb59589c754ebfab21d2d0c9ab07af49d1"
    "56088a9cf0ae3a6e40a14a285b683cc66036b62860ae288bc09ac166669711ae4dcb837ff87e46ab1abd84a52979c56147c7c11e27f80e22bda16443"
    "bf0ab6f8db152c1d4d47dcfbc1672c1acc1be3c201a80d236255285e6fef605fea48fe05716c676c62f295b3c0195086dfb5ac005ecb5af2f821b690"
    "6eba875f3d24275c8d4f2433bccf6a9a44dfe0f91b3c068e8d4a0c76ada6309b12e2d2947d217c4cb0532a5bb12cfd9a9fa62cfe29d2995287b415ca"
    "03d683618e7c125eb2813c606968ee018a5d61bd71c66e2d79ff74ac1d2b4af51acad2af5c16678a8732208c22e88eeba1a1d60d15c0841e09a1964b"
    "f5988acda71ccf753c006414f453ef219c4ab2b2ad9d82b07329d30c5b58676b210e5a3db67069bdfcf58d92b061ca77";

static const char dec77_k[] =
    "94f938f29b73651f9c1d56f1f6fe79087def54b3f9ff33e9c48c60fa7c2b1d99";

/* keyGen tcIds 2 and 3: d, z and the H(ek) || z tail of the expected dk */
static const struct {
    const char *d, *z, *hek;
} kg_short[] = {
    {"795085d98dc04e0bfa6a5ba95c252c4f87bbbcda8b9cbdafb26060e6a51fc6ca",
     "b879b1d38b384e609b6ab3a956c4c0a316d0e3111c169b2a241011dc20e976ad",
     "6ca0018d9ecae50e9c6363cc9c2297c95f9cf636a570e97cd48766d02c70fceb"},
    {"9d52ee5c8d01a4fe5f57d305f277d5397c4f18c028e160b479fc63fcf83be54d",
     "157919a19fcc6b7f7a2eb76019a731dbdd44cf1f78e3feb6f38e29f9811f2c16",
     "26a94670c685e49f4f2092d61c93dc4dd3b8cc2e26d40cb77be0b86838226431"},
};

#define DK_EK 768
#define DK_H 1568
#define DK_Z 1600

static void unhex_into(uint8_t *out, size_t n, const char *hex)
{
    assert_int_equal(hex_decode_exact(out, n, hex), 0);
}

static void random_bytes(void *p, size_t n)
{
    assert_int_equal(entropy_fill(p, n), 0);
}

static void test_acvp_keygen(void **state)
{
    (void)state;
    uint8_t d[32], z[32], ek[MLKEM512_EK_BYTES], dk[MLKEM512_DK_BYTES], h[32];
    unhex_into(d, 32, kg1_d);
    unhex_into(z, 32, kg1_z);
    assert_int_equal(mlkem512_keygen_derand(ek, dk, d, z), 0);
    assert_bytes_hex(ek, sizeof ek, kg1_ek);
    assert_bytes_hex(dk, sizeof dk, kg1_dk);

    for (size_t i = 0; i < sizeof kg_short / sizeof kg_short[0]; i++) {
        unhex_into(d, 32, kg_short[i].d);
        unhex_into(z, 32, kg_short[i].z);
        assert_int_equal(mlkem512_keygen_derand(ek, dk, d, z), 0);
        sha3_256(h, ek, sizeof ek);
        assert_bytes_hex(h, 32, kg_short[i].hek);
        assert_memory_equal(dk + DK_EK, ek, sizeof ek);
        assert_memory_equal(dk + DK_H, h, 32);
        assert_memory_equal(dk + DK_Z, z, 32);
    }
}

static void test_acvp_encaps(void **state)
{
    (void)state;
    uint8_t ek[MLKEM512_EK_BYTES], m[32], ct[MLKEM512_CT_BYTES], ss[MLKEM_SS_BYTES];
    unhex_into(ek, sizeof ek, enc1_ek);
    unhex_into(m, sizeof m, enc1_m);
    assert_int_equal(mlkem512_check_ek(ek), 0);
    assert_int_equal(mlkem512_encaps_derand(ct, ss, ek, m), 0);
    assert_bytes_hex(ct, sizeof ct, enc1_c);
    assert_bytes_hex(ss, sizeof ss, enc1_k);
}

static void test_acvp_decaps(void **state)
{
    (void)state;
    uint8_t dk[MLKEM512_DK_BYTES], ct[MLKEM512_CT_BYTES], ss[MLKEM_SS_BYTES], j[32];
    unhex_into(dk, sizeof dk, dec_dk);
    assert_int_equal(mlkem512_check_dk(dk), 0);

    unhex_into(ct, sizeof ct, dec76_c);
    assert_int_equal(mlkem512_decaps(ss, ct, dk), 0);
    assert_bytes_hex(ss, sizeof ss, dec76_k);

    /* the rejected one: the standard's answer is J(z || c) */
    unhex_into(ct, sizeof ct, dec77_c);
    assert_int_equal(mlkem512_decaps(ss, ct, dk), 0);
    assert_bytes_hex(ss, sizeof ss, dec77_k);
    struct keccak k;
    keccak_init_shake256(&k);
    keccak_absorb(&k, dk + DK_Z, 32);
    keccak_absorb(&k, ct, sizeof ct);
    keccak_squeeze(&k, j, sizeof j);
    assert_memory_equal(ss, j, 32);
}

/* Exhaustive: Compress_d(x) = round(2^d x / q) mod 2^d and Decompress_d(y)
 * = round(q y / 2^d), with round-half-up, written as plain integer
 * divisions. */
static void test_compress_exact(void **state)
{
    (void)state;
    static const unsigned ds[] = {1, 4, 5, 10, 11};
    struct mlkem_poly f;
    for (size_t di = 0; di < sizeof ds / sizeof ds[0]; di++) {
        unsigned d = ds[di];
        for (uint32_t base = 0; base < MLKEM_Q; base += MLKEM_N) {
            for (unsigned i = 0; i < MLKEM_N; i++)
                f.c[i] = (uint16_t)((base + i) % MLKEM_Q);
            mlkem_poly_compress(&f, d);
            for (unsigned i = 0; i < MLKEM_N; i++) {
                uint32_t x = (base + i) % MLKEM_Q;
                uint32_t want = ((2u * (x << d) + MLKEM_Q) / (2u * MLKEM_Q)) % (1u << d);
                assert_int_equal(f.c[i], want);
            }
        }
        for (uint32_t base = 0; base < (1u << d); base += MLKEM_N) {
            for (unsigned i = 0; i < MLKEM_N; i++)
                f.c[i] = (uint16_t)((base + i) % (1u << d));
            mlkem_poly_decompress(&f, d);
            for (unsigned i = 0; i < MLKEM_N; i++) {
                uint32_t y = (base + i) % (1u << d);
                uint32_t want = (2u * MLKEM_Q * y + (1u << d)) / (2u << d);
                assert_int_equal(f.c[i], want);
            }
        }
    }
}

static void random_poly(struct mlkem_poly *f)
{
    uint16_t r[MLKEM_N];
    random_bytes(r, sizeof r);
    for (unsigned i = 0; i < MLKEM_N; i++)
        f->c[i] = (uint16_t)(r[i] % MLKEM_Q);
}

/* NTT^-1(NTT(a) x NTT(b)) equals the schoolbook product mod X^256 + 1. */
static void test_ntt_multiplies(void **state)
{
    (void)state;
    for (int round = 0; round < 20; round++) {
        struct mlkem_poly a, b, an, bn, prod;
        int64_t want[MLKEM_N] = {0};
        random_poly(&a);
        random_poly(&b);
        for (unsigned i = 0; i < MLKEM_N; i++)
            for (unsigned j = 0; j < MLKEM_N; j++) {
                int64_t t = (int64_t)a.c[i] * b.c[j];
                if (i + j < MLKEM_N)
                    want[i + j] += t;
                else
                    want[i + j - MLKEM_N] -= t; /* X^256 = -1 */
            }
        an = a;
        bn = b;
        mlkem_poly_ntt(&an);
        mlkem_poly_ntt(&bn);
        memset(&prod, 0, sizeof prod);
        mlkem_poly_basemul_acc(&prod, &an, &bn);
        mlkem_poly_invntt(&prod);
        for (unsigned i = 0; i < MLKEM_N; i++)
            assert_int_equal(prod.c[i], ((want[i] % MLKEM_Q) + MLKEM_Q) % MLKEM_Q);
        /* and the inverse undoes the forward transform */
        mlkem_poly_invntt(&an);
        assert_memory_equal(an.c, a.c, sizeof a.c);
    }
}

/* ByteDecode_d(ByteEncode_d(f)) = f for every width; decoding 12 bits
 * reduces mod q; and the 12-bit range check agrees with the decoder. */
static void test_codec(void **state)
{
    (void)state;
    uint8_t buf[32 * 12];
    struct mlkem_poly f, g;
    for (unsigned d = 1; d <= 12; d++) {
        random_poly(&f);
        if (d < 12)
            for (unsigned i = 0; i < MLKEM_N; i++)
                f.c[i] &= (uint16_t)((1u << d) - 1);
        mlkem_poly_encode(buf, &f, d);
        mlkem_poly_decode(&g, buf, d);
        assert_memory_equal(f.c, g.c, sizeof f.c);
    }
    /* bit order: coefficient 0 = 0xabc, coefficient 1 = 0x123 */
    memset(&f, 0, sizeof f);
    f.c[0] = 0xabc;
    f.c[1] = 0x123;
    mlkem_poly_encode(buf, &f, 12);
    assert_int_equal(buf[0], 0xbc);
    assert_int_equal(buf[1], 0x3a);
    assert_int_equal(buf[2], 0x12);
    assert_int_equal(mlkem_poly_check12(buf), 1);
    /* 4095 and q decode to 4095 - q and 0 but fail the range check */
    buf[0] = 0xff;
    buf[1] = 0x1f; /* coefficient 0 = 0xfff, coefficient 1 = 0x121 */
    buf[3] = 0x01;
    buf[4] = 0x0d; /* coefficient 2 = 0xd01 = q */
    mlkem_poly_decode(&g, buf, 12);
    assert_int_equal(g.c[0], 4095 - MLKEM_Q);
    assert_int_equal(g.c[2], 0);
    assert_int_equal(mlkem_poly_check12(buf), 0);
}

static void test_round_trip(void **state)
{
    (void)state;
    uint8_t ek[MLKEM512_EK_BYTES], dk[MLKEM512_DK_BYTES];
    uint8_t ct[MLKEM512_CT_BYTES], ct2[MLKEM512_CT_BYTES];
    uint8_t ss[MLKEM_SS_BYTES], ss2[MLKEM_SS_BYTES], m[32];
    for (int round = 0; round < 50; round++) {
        assert_int_equal(mlkem512_keygen(ek, dk), 0);
        assert_int_equal(mlkem512_check_ek(ek), 0);
        assert_int_equal(mlkem512_check_dk(dk), 0);
        assert_int_equal(mlkem512_encaps(ct, ss, ek), 0);
        assert_int_equal(mlkem512_decaps(ss2, ct, dk), 0);
        assert_memory_equal(ss, ss2, sizeof ss);
        /* derandomised encapsulation is a function of (ek, m) */
        random_bytes(m, sizeof m);
        assert_int_equal(mlkem512_encaps_derand(ct, ss, ek, m), 0);
        assert_int_equal(mlkem512_encaps_derand(ct2, ss2, ek, m), 0);
        assert_memory_equal(ct, ct2, sizeof ct);
        assert_memory_equal(ss, ss2, sizeof ss);
        assert_int_equal(mlkem512_decaps(ss2, ct, dk), 0);
        assert_memory_equal(ss, ss2, sizeof ss);
    }
}

/* A changed ciphertext decapsulates to J(z || c'), never to the real key. */
static void test_implicit_rejection(void **state)
{
    (void)state;
    uint8_t ek[MLKEM512_EK_BYTES], dk[MLKEM512_DK_BYTES];
    uint8_t ct[MLKEM512_CT_BYTES], bad[MLKEM512_CT_BYTES];
    uint8_t ss[MLKEM_SS_BYTES], got[MLKEM_SS_BYTES], j[32];
    static const size_t where[] = {0, 1, 319, 320, 639, 640, 700, MLKEM512_CT_BYTES - 1};
    assert_int_equal(mlkem512_keygen(ek, dk), 0);
    assert_int_equal(mlkem512_encaps(ct, ss, ek), 0);
    for (size_t w = 0; w < sizeof where / sizeof where[0]; w++) {
        for (unsigned bit = 0; bit < 8; bit += 3) {
            memcpy(bad, ct, sizeof ct);
            bad[where[w]] ^= (uint8_t)(1u << bit);
            assert_int_equal(mlkem512_decaps(got, bad, dk), 0);
            assert_memory_not_equal(got, ss, sizeof ss);
            struct keccak k;
            keccak_init_shake256(&k);
            keccak_absorb(&k, dk + DK_Z, 32);
            keccak_absorb(&k, bad, sizeof bad);
            keccak_squeeze(&k, j, sizeof j);
            assert_memory_equal(got, j, sizeof j);
        }
    }
}

/* Sets 12-bit coefficient i of the t_hat part of ek to v. */
static void set_coeff(uint8_t *ek, unsigned i, unsigned v)
{
    uint8_t *p = ek + 3 * (i / 2);
    if (i % 2 == 0) {
        p[0] = (uint8_t)v;
        p[1] = (uint8_t)((p[1] & 0xf0) | (v >> 8));
    } else {
        p[1] = (uint8_t)((p[1] & 0x0f) | ((v & 0x0f) << 4));
        p[2] = (uint8_t)(v >> 4);
    }
}

static void test_ek_modulus_check(void **state)
{
    (void)state;
    uint8_t ek[MLKEM512_EK_BYTES], dk[MLKEM512_DK_BYTES], bad[MLKEM512_EK_BYTES];
    uint8_t ct[MLKEM512_CT_BYTES], ss[MLKEM_SS_BYTES];
    static const unsigned idx[] = {0, 1, 255, 256, 510, 511};
    assert_int_equal(mlkem512_keygen(ek, dk), 0);
    for (size_t i = 0; i < sizeof idx / sizeof idx[0]; i++) {
        memcpy(bad, ek, sizeof ek);
        set_coeff(bad, idx[i], MLKEM_Q - 1); /* largest legal value */
        assert_int_equal(mlkem512_check_ek(bad), 0);
        assert_int_equal(mlkem512_encaps(ct, ss, bad), 0);
        for (unsigned v = MLKEM_Q; v <= 4095; v += 383) {
            set_coeff(bad, idx[i], v);
            assert_int_equal(mlkem512_check_ek(bad), KMS_EINVAL);
            memset(ct, 0xaa, sizeof ct);
            memset(ss, 0xaa, sizeof ss);
            assert_int_equal(mlkem512_encaps(ct, ss, bad), KMS_EINVAL);
            assert_true(secmem_is_zero(ct, sizeof ct));
            assert_true(secmem_is_zero(ss, sizeof ss));
        }
        set_coeff(bad, idx[i], 4095);
        assert_int_equal(mlkem512_check_ek(bad), KMS_EINVAL);
    }
    /* rho is not range-checked: any 32 bytes are fine */
    memcpy(bad, ek, sizeof ek);
    memset(bad + MLKEM512_EK_BYTES - 32, 0xff, 32);
    assert_int_equal(mlkem512_check_ek(bad), 0);
    memset(bad, 0xff, sizeof bad);
    assert_int_equal(mlkem512_check_ek(bad), KMS_EINVAL);
}

static void test_dk_hash_check(void **state)
{
    (void)state;
    uint8_t ek[MLKEM512_EK_BYTES], dk[MLKEM512_DK_BYTES], bad[MLKEM512_DK_BYTES];
    uint8_t ct[MLKEM512_CT_BYTES], ss[MLKEM_SS_BYTES];
    static const size_t hits[] = {DK_H, DK_H + 17, DK_H + 31, DK_EK, DK_EK + 500, DK_H - 1};
    assert_int_equal(mlkem512_keygen(ek, dk), 0);
    assert_int_equal(mlkem512_encaps(ct, ss, ek), 0);
    for (size_t i = 0; i < sizeof hits / sizeof hits[0]; i++) {
        memcpy(bad, dk, sizeof dk);
        bad[hits[i]] ^= 0x01;
        assert_int_equal(mlkem512_check_dk(bad), KMS_EINVAL);
        memset(ss, 0xaa, sizeof ss);
        assert_int_equal(mlkem512_decaps(ss, ct, bad), KMS_EINVAL);
        assert_true(secmem_is_zero(ss, sizeof ss));
    }
    /* s and z are not covered by the hash: decapsulation still runs */
    memcpy(bad, dk, sizeof dk);
    bad[5] ^= 0x40;
    bad[DK_Z] ^= 0x01;
    assert_int_equal(mlkem512_check_dk(bad), 0);
    assert_int_equal(mlkem512_decaps(ss, ct, bad), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_acvp_keygen),      cmocka_unit_test(test_acvp_encaps),
        cmocka_unit_test(test_acvp_decaps),      cmocka_unit_test(test_compress_exact),
        cmocka_unit_test(test_ntt_multiplies),   cmocka_unit_test(test_codec),
        cmocka_unit_test(test_round_trip),       cmocka_unit_test(test_implicit_rejection),
        cmocka_unit_test(test_ek_modulus_check), cmocka_unit_test(test_dk_hash_check),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
