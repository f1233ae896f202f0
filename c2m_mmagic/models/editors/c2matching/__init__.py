from .c2matching import C2Matching
from .c2matching_disc import C2MatchingDiscriminator
from .c2matching_net import C2MatchingNet
from .contras_extractor import ContrasExtractor
from .contras_stage_model import ContrasStudent, ContrasTeacher
from .correspondence import CorrespondenceGenerator
from .dynamic_aggregation import DynamicAggregation
from .patch_matching import PATCH
from .ref_vgg_extractor import RefVGGExtractor
from .scales import SCALES, UPSCALE

__all__ = [
    'C2Matching', 'C2MatchingDiscriminator', 'C2MatchingNet',
    'ContrasExtractor', 'ContrasStudent', 'ContrasTeacher',
    'CorrespondenceGenerator', 'DynamicAggregation', 'PATCH',
    'RefVGGExtractor', 'SCALES', 'UPSCALE'
]
